package api

import (
	"testing"
	"time"

	"github.com/guildgate/guildgate/internal/admin/memberscsv"
	goldenfile "github.com/guildgate/guildgate/internal/golden"
	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/problem"
)

// TestGoldenViews pins the views only the admin API prints (package views
// pins those the CLI prints too): field names, which are always present,
// {} and [] rather than null.
func TestGoldenViews(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		v    any
	}{
		{"audit", []auditView{
			auditViewOf(model.AuditEvent{ID: 7, At: at, Actor: "apikey:k1", Action: "member.update", Target: "member:m1",
				IP: "192.0.2.1", Detail: map[string]string{"fields": "name"}}),
			auditViewOf(model.AuditEvent{ID: 6, At: at.Add(-time.Minute), Actor: "cli", Action: "keys.rotate", Target: "tenant:t1"}),
		}},
		{"group_deleted", []groupDeleted{
			groupDeletedOf(model.Group{ID: "g1", Name: "Board"}, []model.Client{
				{ID: "c1", Name: "Portal", PermittedGroups: []string{"g1"}}, {ID: "c2", Name: "Wiki", PermittedGroups: []string{"g1", "g2"}}}),
			groupDeletedOf(model.Group{ID: "g2", Name: "Staff"}, nil),
		}},
		{"import_report", importReportOf(memberscsv.Report{DryRun: true, Rows: 4, Created: 1, Updated: 1, Unchanged: 1,
			Errors: []memberscsv.RowError{{Line: 5, Email: "bad@example.org", Message: "the row has problems",
				Problems: []problem.Problem{{Field: "status", Message: `"gone" is not a member status`}}}}})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { goldenfile.JSON(t, tc.name, tc.v) })
	}
}
