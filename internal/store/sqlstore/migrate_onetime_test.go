package sqlstore_test

import (
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store/sqlstore"
)

// useOneTimeLinks gives a member made at version 1's shape a password-reset
// link and checks that the link goes with the member; id keeps rows of
// earlier runs apart.
func useOneTimeLinks(t *testing.T, s *sqlstore.Store, id string) {
	ctx := t.Context()
	if has, err := s.Members().HasAdmin(ctx, "t1"); err != nil || has {
		t.Fatalf("HasAdmin = %v, %v; no version-1 member is an administrator", has, err)
	}
	must(t, s.Members().Create(ctx, member("r-"+id, "reset@"+id+".example")))
	l := model.OneTimeLink{Hash: "link-" + id, TenantID: "t1", Purpose: model.PurposePasswordReset, MemberID: "r-" + id,
		CreatedBy: "cli", CreatedAt: at, ExpiresAt: at.Add(time.Hour)}
	must(t, s.OneTimeLinks().Create(ctx, l))
	if _, first, err := s.OneTimeLinks().Consume(ctx, "t1", l.Hash, at); err != nil || !first {
		t.Fatalf("consume = %v, %v", first, err)
	}
	must(t, s.Members().Delete(ctx, "t1", "r-"+id))
	if _, err := s.OneTimeLinks().Get(ctx, "t1", l.Hash); err == nil {
		t.Fatal("one-time link outlived its member")
	}
}

// useAuthResumes uses a marker in a version-1 tenant, once; id keeps rows
// of earlier runs apart.
func useAuthResumes(t *testing.T, s *sqlstore.Store, id string) {
	for _, want := range []bool{true, false} {
		if first, err := s.AuthResumes().Use(t.Context(), "t1", "resume-"+id, at.Add(time.Minute)); err != nil || first != want {
			t.Fatalf("use = %v, %v; want %v", first, err, want)
		}
	}
}
