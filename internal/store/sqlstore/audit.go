package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// audit implements store.Audit. Ids come from the database in insert order
// and are never reused, which is what makes them a stable cursor.
type audit struct{ s *Store }

// Append ignores e.ID: the database assigns it.
func (r audit) Append(ctx context.Context, e model.AuditEvent) error {
	if r.s.audit != nil { // written with the group's commit (auditrows.go)
		*r.s.audit = appendAuditRow(*r.s.audit, e)
		return nil
	}
	args := appendAuditRow(make([]any, 0, auditArgs), e)
	if _, err := r.s.exec(r.s.heldBack(ctx), r.s.db, insertAuditEvent, args...); err != nil {
		return fmt.Errorf("append audit event: %w", err)
	}
	return nil
}

// appendAuditRow appends e's arguments of insertAuditEvent, in its column
// order, to args: the one place that order is spelled, for a row written
// alone and for the rows a group writes together.
func appendAuditRow(args []any, e model.AuditEvent) []any {
	return append(args, e.TenantID, micros(e.At), e.Actor, e.Action, e.Target, e.IP, auditDetail(e.Detail))
}

const insertAuditEvent = `INSERT INTO audit_events (tenant_id, at, actor, action, target, ip, detail)
	VALUES ($1, $2, $3, $4, $5, $6, $7)`

// List returns events newest first. Page.Next is the decimal id to pass as
// AuditQuery.Before for the following page.
func (r audit) List(ctx context.Context, tenantID string, q store.AuditQuery) (store.Page[model.AuditEvent], error) {
	where, a := auditFilter(tenantID, q)
	limit := pageLimit(q.Limit)
	rows, err := r.s.db.QueryContext(ctx, `SELECT id, tenant_id, at, actor, action, target, ip, detail
		FROM audit_events WHERE `+where+` ORDER BY id DESC LIMIT `+a.add(limit+1), a...)
	if err != nil {
		return store.Page[model.AuditEvent]{}, fmt.Errorf("list audit events: %w", err)
	}
	defer rows.Close()
	p, err := auditPage(rows, limit)
	if err != nil {
		return store.Page[model.AuditEvent]{}, fmt.Errorf("list audit events: %w", err)
	}
	return p, nil
}

// auditFilter turns q into a WHERE clause. An action ending in "." is a
// prefix; its characters are escaped so only that literal prefix matches.
func auditFilter(tenantID string, q store.AuditQuery) (string, args) {
	var a args
	where := `tenant_id = ` + a.add(tenantID)
	switch {
	case strings.HasSuffix(q.Action, "."):
		where += ` AND action LIKE ` + a.add(escapeLike(q.Action)+"%") + ` ESCAPE '\'`
	case q.Action != "":
		where += ` AND action = ` + a.add(q.Action)
	}
	if q.Actor != "" {
		where += ` AND actor = ` + a.add(q.Actor)
	}
	if q.Target != "" {
		where += ` AND target = ` + a.add(q.Target)
	}
	if q.Before > 0 {
		where += ` AND id < ` + a.add(q.Before)
	}
	return where, a
}

// auditPage reads up to limit events; a further row only means another page.
func auditPage(rows *sql.Rows, limit int) (store.Page[model.AuditEvent], error) {
	var p store.Page[model.AuditEvent]
	for rows.Next() {
		if len(p.Items) == limit {
			p.Next = strconv.FormatInt(p.Items[limit-1].ID, 10)
			break
		}
		e, err := scanAuditEvent(rows)
		if err != nil {
			return store.Page[model.AuditEvent]{}, err
		}
		p.Items = append(p.Items, e)
	}
	return p, rows.Err()
}

func scanAuditEvent(sc scanner) (model.AuditEvent, error) {
	var e model.AuditEvent
	var at int64
	var detail string
	if err := sc.Scan(&e.ID, &e.TenantID, &at, &e.Actor, &e.Action, &e.Target, &e.IP, &detail); err != nil {
		return e, err
	}
	e.At = fromMicros(at)
	if err := json.Unmarshal([]byte(detail), &e.Detail); err != nil {
		return e, fmt.Errorf("detail: %w", err)
	}
	return e, nil
}
