package storetest

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

var listTests = []testCase{
	{"Members/ListPagination", testMemberListPagination},
	{"Members/ListSearch", testMemberListSearch},
	{"Members/ListLimits", testMemberListLimits},
	{"Members/ListBadCursor", testMemberListBadCursor},
}

type listFunc func(q store.MemberQuery) (store.Page[model.Member], error)

// walk follows Next until the last page and returns every member seen, failing
// on a page larger than the limit or a cursor that does not advance.
func walk(t *testing.T, list listFunc, q store.MemberQuery) []model.Member {
	t.Helper()
	var all []model.Member
	for range 10000 {
		p, err := list(q)
		ok(t, err)
		if q.Limit > 0 && len(p.Items) > q.Limit {
			t.Fatalf("page of %d items, limit %d", len(p.Items), q.Limit)
		}
		all = append(all, p.Items...)
		if p.Next == "" {
			return all
		}
		if p.Next == q.After || len(p.Items) == 0 {
			t.Fatalf("cursor %q does not advance", p.Next)
		}
		q.After = p.Next
	}
	t.Fatal("pagination never ended")
	return nil
}

func ids(ms []model.Member) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

// byEmail is the order the store promises: normalised email, then id.
func byEmail(ms []model.Member) []model.Member {
	out := slices.Clone(ms)
	slices.SortFunc(out, func(a, b model.Member) int {
		return strings.Compare(strings.ToLower(strings.TrimSpace(a.Email))+"\x00"+a.ID,
			strings.ToLower(strings.TrimSpace(b.Email))+"\x00"+b.ID)
	})
	return out
}

func testMemberListPagination(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	other := mkTenant(t, s, "beta")
	var all []model.Member
	for i := range 23 {
		email := fmt.Sprintf("user%02d@example.com", (i*7)%23) // created out of order
		if i%3 == 0 {
			email = strings.ToUpper(email[:1]) + email[1:]
		}
		all = append(all, mkMember(t, s, tn.ID, email))
	}
	mkMember(t, s, other.ID, "user05@example.com")
	want := ids(byEmail(all))
	list := func(q store.MemberQuery) (store.Page[model.Member], error) {
		return s.Members().List(t.Context(), tn.ID, q)
	}
	for _, limit := range []int{1, 5, 22, 23, 24, 0} {
		got := walk(t, list, store.MemberQuery{Limit: limit})
		if !slices.Equal(ids(got), want) {
			t.Fatalf("limit %d: walked %v, want %v", limit, ids(got), want)
		}
	}
	p, err := list(store.MemberQuery{Limit: 23})
	ok(t, err)
	equal(t, p.Next, "")
	equal(t, p.Items[0], byEmail(all)[0])

	empty := mkTenant(t, s, "gamma")
	p, err = s.Members().List(t.Context(), empty.ID, store.MemberQuery{})
	ok(t, err)
	equal(t, len(p.Items), 0)
	equal(t, p.Next, "")
}

func testMemberListSearch(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	mk := func(email, name, legacy string) model.Member {
		t.Helper()
		m := model.Member{ID: newID(), TenantID: tn.ID, Email: email, Name: name, LegacyID: legacy,
			Status: model.StatusCurrent, CreatedAt: t0, UpdatedAt: t0}
		ok(t, s.Members().Create(t.Context(), m))
		return m
	}
	percent := mk("per%cent@x.example", "", "")
	under := mk("under_score@x.example", "", "")
	back := mk(`back\slash@x.example`, "", "")
	grace := mk("grace@navy.example", "Grace HOPPER", "LEG-42")
	plain := mk("plain@x.example", "Plain Person", "leg-7")
	var many []model.Member
	for i := range 12 {
		many = append(many, mk(fmt.Sprintf("m%02d@bulk.example", i), "", ""))
	}

	cases := []struct {
		search string
		want   []model.Member
	}{
		{"%", []model.Member{percent}},
		{"_", []model.Member{under}},
		{`\`, []model.Member{back}},
		{`\s`, []model.Member{back}},
		{"r%c", []model.Member{percent}},
		{"r_s", []model.Member{under}},
		{"hopper", []model.Member{grace}},
		{"grace h", []model.Member{grace}},
		{"LEG-", []model.Member{grace, plain}},
		{"X.EXAMPLE", []model.Member{back, percent, plain, under}},
		{"bulk", many},
		{"nobody", nil},
	}
	for _, c := range cases {
		list := func(q store.MemberQuery) (store.Page[model.Member], error) {
			return s.Members().List(t.Context(), tn.ID, q)
		}
		got := walk(t, list, store.MemberQuery{Search: c.search, Limit: 5})
		if !slices.Equal(ids(got), ids(byEmail(c.want))) {
			t.Errorf("search %q: got %v, want %v", c.search, ids(got), ids(byEmail(c.want)))
		}
	}
}

func testMemberListLimits(t *testing.T, s store.Store) {
	ctx := t.Context()
	tn := mkTenant(t, s, "alpha")
	for i := range store.MaxLimit + 1 {
		mkMember(t, s, tn.ID, fmt.Sprintf("m%04d@example.com", i))
	}
	for _, c := range []struct{ limit, want int }{
		{0, store.DefaultLimit}, {-1, store.DefaultLimit}, {store.MaxLimit + 500, store.MaxLimit},
	} {
		p, err := s.Members().List(ctx, tn.ID, store.MemberQuery{Limit: c.limit})
		ok(t, err)
		if len(p.Items) != c.want || p.Next == "" {
			t.Fatalf("limit %d: %d items, next %q; want %d items and a next page", c.limit, len(p.Items), p.Next, c.want)
		}
	}
	p, err := s.Members().List(ctx, tn.ID, store.MemberQuery{Limit: store.MaxLimit})
	ok(t, err)
	p, err = s.Members().List(ctx, tn.ID, store.MemberQuery{Limit: store.MaxLimit, After: p.Next})
	ok(t, err)
	equal(t, len(p.Items), 1)
	equal(t, p.Next, "")
}

func testMemberListBadCursor(t *testing.T, s store.Store) {
	tn := mkTenant(t, s, "alpha")
	mkMember(t, s, tn.ID, "ada@example.com")
	for _, after := range []string{"!!!", "not a cursor", base64.RawURLEncoding.EncodeToString([]byte("{"))} {
		_, err := s.Members().List(t.Context(), tn.ID, store.MemberQuery{After: after})
		wantErr(t, err, store.ErrInvalidCursor)
	}
}
