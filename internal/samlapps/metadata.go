package samlapps

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/guildgate/guildgate/internal/problem"
	"github.com/guildgate/guildgate/internal/saml"
)

// FetchTimeout bounds one metadata fetch, whatever the Fetcher's own.
const FetchTimeout = 10 * time.Second

// fromMetadata fills st from a metadata URL or document, when one is
// given. What is wrong with it becomes a problem on the field it came
// from; only a failure of ours is an error.
func (s *Service) fromMetadata(ctx context.Context, st *settings, metadataURL string, doc []byte, ps *problem.List) error {
	field := "metadata"
	if metadataURL != "" {
		field = "metadata_url"
		var msg string
		if doc, msg = s.fetch(ctx, metadataURL); msg != "" {
			ps.Add(field, "%s", msg)
			return nil
		}
		st.MetadataURL = metadataURL
	}
	if len(doc) == 0 {
		return nil
	}
	reg, err := saml.ParseSPMetadata(doc)
	if err != nil {
		ps.Add(field, "%v", err)
		return nil
	}
	st.EntityID, st.ACSURLs, st.SLOURL, st.SigningCert = reg.EntityID, reg.ACSURLs, reg.SLOURL, reg.SigningCert
	return nil
}

// fetch GETs an https metadata URL through the Fetcher, bounded in time
// and size. The answer is a message for the administrator, never the
// remote server's raw text.
func (s *Service) fetch(ctx context.Context, raw string) ([]byte, string) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return nil, "must be an https:// URL"
	}
	if s.Fetch == nil {
		return nil, "cannot be fetched here; register the app with its metadata file instead"
	}
	ctx, cancel := context.WithTimeout(ctx, FetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, "must be an https:// URL"
	}
	req.Header.Set("Accept", "application/samlmetadata+xml, application/xml;q=0.9, text/xml;q=0.8")
	resp, err := s.Fetch.Do(req)
	if err != nil {
		return nil, "could not be fetched (" + reason(err) + ")"
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Sprintf("answered HTTP %d instead of the metadata", resp.StatusCode)
	}
	doc, err := io.ReadAll(io.LimitReader(resp.Body, saml.MaxMetadata+1))
	if err != nil {
		return nil, "could not be read to the end"
	}
	if len(doc) > saml.MaxMetadata {
		return nil, fmt.Sprintf("holds more than %d KiB, more than any one app's metadata", saml.MaxMetadata>>10)
	}
	return doc, ""
}

// reason is a short, fixed description of a fetch failure.
func reason(err error) string {
	switch {
	case strings.Contains(err.Error(), "deadline exceeded"), strings.Contains(err.Error(), "timeout"):
		return "timed out"
	case strings.Contains(err.Error(), "certificate"):
		return "its TLS certificate is not trusted"
	}
	return "the server could not be reached, or refused the address"
}
