package console

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/guildgate/guildgate/internal/auditlog"
	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/session"
	"github.com/guildgate/guildgate/internal/store"
	"github.com/guildgate/guildgate/internal/tenancy"
	"github.com/guildgate/guildgate/internal/upstream"
)

// TestSignIns ends administrators' test sign-ins: package federation
// calls Show from its callback, after every check of the provider's answer
// passed. It is apart from Handler, which starts test sign-ins through
// federation, so that each can be built complete, federation between them.
type TestSignIns struct {
	Sessions *session.Manager
	Audit    store.Audit
	CSRF     *httpx.CSRF
	Now      func() time.Time
}

// Show shows the claims received, mapped and raw, and stores nothing but
// an audit event. Only a signed-in administrator sees them; the round trip
// was also bound to the browser that began it.
func (h *TestSignIns) Show(w http.ResponseWriter, r *http.Request, conn model.Connection, cl upstream.Claims) error {
	t, err := tenancy.FromRequest(r)
	if err != nil {
		return err
	}
	_, m, err := h.Sessions.Current(r)
	switch {
	case errors.Is(err, session.ErrNoSession) || (err == nil && !m.Admin):
		return httpx.Forbidden("Only a signed-in administrator can see what a test sign-in received.")
	case err != nil:
		return err
	}
	c := &call{tenant: t, admin: m, csrf: h.CSRF.Token(w, r)}
	e := model.AuditEvent{TenantID: t.ID, At: store.Stamp(h.Now()), Actor: c.actor(), Action: "connection.test.signin",
		Target: "connection:" + conn.ID, Detail: map[string]string{"issuer": cl.Issuer,
			"request_id": httpx.RequestIDFrom(r.Context())}}
	if err := auditlog.Record(r.Context(), h.Audit, e); err != nil {
		return err
	}
	p := claimsPage{base: pageBase(r, c, "connections", "Test sign-in with "+conn.Name), ID: conn.ID, Name: conn.Name, Claims: cl}
	for name, v := range cl.Raw {
		s, ok := v.(string)
		if !ok {
			b, _ := json.Marshal(v)
			s = string(b)
		}
		p.Raw = append(p.Raw, claimRow{Name: name, Value: s})
	}
	slices.SortFunc(p.Raw, func(a, b claimRow) int {
		if a.Name < b.Name {
			return -1
		}
		if a.Name > b.Name {
			return 1
		}
		return 0
	})
	return parsedViews().render(w, http.StatusOK, "connection_claims", p)
}
