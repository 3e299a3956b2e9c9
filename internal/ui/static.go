package ui

import (
	"embed"
	"fmt"

	"github.com/guildgate/guildgate/internal/httpx"
)

//go:embed static
var staticFS embed.FS

// memberCache lets any cache keep a current file for a year; a stale URL
// is revalidated against its ETag.
var memberCache = httpx.StaticCache{Current: "public, max-age=31536000, immutable", Stale: "no-cache", ETag: true}

func loadStatic() (*httpx.Static, error) {
	s, err := httpx.NewStatic(staticFS, "static", memberCache)
	if err != nil {
		return nil, fmt.Errorf("ui: %w", err)
	}
	return s, nil
}
