package session

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzCurrent: whatever the Cookie header holds, a request is signed in only
// with the exact cookie Start set, and in the tenant that session belongs to.
func FuzzCurrent(f *testing.F) {
	fx := newFixture(f)
	w := httptest.NewRecorder()
	if _, err := fx.m.Start(w, request(fx.tenant), fx.tenant, fx.member, []string{"pwd"}); err != nil {
		f.Fatal(err)
	}
	issued := w.Result().Cookies()[0]
	for _, s := range []string{issued.Name + "=" + issued.Value, issued.Name + "=" + strings.ToUpper(issued.Value),
		issued.Name + "=" + issued.Value + "; " + issued.Name + "=x", issued.Name + "=\"" + issued.Value + "\"", issued.Name + "=", "", "\x00=\xff"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, cookie string, otherTenant bool) {
		tenant := fx.tenant
		if otherTenant {
			tenant = fx.another
		}
		r := request(tenant)
		r.Header.Set("Cookie", cookie)
		_, m, err := fx.m.Current(r)
		if errors.Is(err, ErrNoSession) {
			return
		}
		c, cerr := r.Cookie(CookieName)
		if err != nil || otherTenant || cerr != nil || c.Value != issued.Value || m.ID != fx.member.ID {
			t.Fatalf("Cookie %q in tenant %s: member %q, %v", cookie, tenant.Slug, m.ID, err)
		}
	})
}
