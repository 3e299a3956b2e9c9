package scim

import (
	"context"
	"errors"
	"net/http"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/store"
	filter "github.com/scim2/filter-parser/v2"
)

// maxScan bounds how many of a connection's users or groups a filter
// without an indexed equality (userName, externalId, id) may read.
const maxScan = 10000

// listing is what listing one resource type takes; list does the rest, the
// same for Users and Groups.
type listing[T any] struct {
	attrs schemaAttrs
	// page reads the resources from offset in the store's order; with limit
	// 0, only how many there are.
	page func(ctx context.Context, offset, limit int) (int, []T, error)
	// candidates are the resources filter e can match: the ones an indexed
	// equality names, else every one (see scan).
	candidates func(ctx context.Context, e filter.Expression) ([]T, error)
	// record is a resource as a filter sees it.
	record func(ctx context.Context, v T) (record, error)
	// resource is a resource as it is sent; what proj leaves out need not
	// be read.
	resource func(ctx context.Context, v T, proj projection) (map[string]any, error)
}

// list answers GET on a resource type (RFC 7644 §3.4.2): filtered when
// asked, paged and projected.
func list[T any](w http.ResponseWriter, r *http.Request, l listing[T]) error {
	ctx := r.Context()
	p, err := pagingOf(r)
	if err != nil {
		return err
	}
	proj, err := projectionOf(r)
	if err != nil {
		return err
	}
	var total int
	var page []T
	if raw := r.URL.Query().Get("filter"); raw != "" {
		matched, err := l.matching(ctx, raw)
		if err != nil {
			return err
		}
		total, page = len(matched), window(matched, p)
	} else if total, page, err = l.page(ctx, p.start-1, p.count); err != nil {
		return err
	}
	items := make([]map[string]any, 0, len(page))
	for _, v := range page {
		res, err := l.resource(ctx, v, proj)
		if err != nil {
			return err
		}
		items = append(items, proj.apply(res))
	}
	writeJSON(w, http.StatusOK, listResponse(total, p, items))
	return nil
}

// matching returns every resource the filter raw matches.
func (l listing[T]) matching(ctx context.Context, raw string) ([]T, error) {
	e, err := parseFilter(raw, l.attrs)
	if err != nil {
		return nil, err
	}
	candidates, err := l.candidates(ctx, e)
	if err != nil {
		return nil, err
	}
	var matched []T
	for _, v := range candidates {
		rec, err := l.record(ctx, v)
		if err != nil {
			return nil, err
		}
		if l.attrs.match(e, rec) {
			matched = append(matched, v)
		}
	}
	return matched, nil
}

// scan reads every resource page reads, what a filter without an indexed
// equality must look through, and refuses when there are more than maxScan
// of them: what (users, groups) and indexed (the attributes to filter by
// instead) say so.
func scan[T any](ctx context.Context, what, indexed string, page func(ctx context.Context, offset, limit int) (int, []T, error)) ([]T, error) {
	var all []T
	for {
		total, more, err := page(ctx, len(all), store.MaxLimit)
		if err != nil {
			return nil, err
		}
		if total > maxScan {
			return nil, badRequest(tooMany, "this filter would read all %d %s; filter by %s", total, what, indexed)
		}
		all = append(all, more...)
		if len(more) == 0 || len(all) >= total {
			return all, nil
		}
	}
}

// one is the candidates of a filter that names one resource: none when the
// lookup found nothing.
func one[T any](v T, err error) ([]T, error) {
	if absent(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return []T{v}, nil
}

// absent reports whether err is a 404 from a lookup.
func absent(err error) bool {
	e, ok := errors.AsType[*httpx.Error](err)
	return ok && e.Status == http.StatusNotFound
}
