package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/guildgate/guildgate/internal/model"
	"github.com/guildgate/guildgate/internal/store"
)

// Userinfo and introspection read Grants.TokenAccess on every call, one
// statement, whose round trip costs PostgreSQL's backend far more than its
// three lookups by key (postgres_audit.go). So on PostgreSQL the reads of
// the requests waiting when the reader is free go in one statement: the
// keys as arrays, unnest WITH ORDINALITY joined to the same lookups, each
// row tagged with its key's position. A request alone is read at once by
// TokenAccess's own statement, as before.
//
// No read is older than its own statement would have been: a group's
// statement, and with it its snapshot, starts after each of its requests
// asked. A request that hangs up while it waits is answered with its
// context's error; the group's statement is cancelled only once all of its
// requests have hung up (groupContext).

// maxAccessGroup bounds the keys of one statement.
const maxAccessGroup = 64

const tokenAccessGroupSelect = `SELECT k.i, gt.client_id, gt.revoked_at IS NOT NULL,
	m.id, m.email, m.email_verified, m.name, m.given_name, m.family_name, m.legacy_id,
	m.status, m.disabled, m.language, m.updated_at,
	EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.tenant_id = k.tenant_id AND r.jti = k.jti)`

const tokenAccessGroupFrom = ` FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS k(tenant_id, grant_id, jti, i)
	JOIN grants gt ON gt.tenant_id = k.tenant_id AND gt.id = k.grant_id
	JOIN members m ON m.tenant_id = gt.tenant_id AND m.id = gt.member_id`

const (
	tokenAccessGroupQuery           = tokenAccessGroupSelect + tokenAccessGroupFrom + ` ORDER BY k.i`
	tokenAccessGroupWithGroupsQuery = tokenAccessGroupSelect + `, g.id, g.name` + tokenAccessGroupFrom + accessGroupsJoin + `
	ORDER BY k.i, g.name_norm, g.id`
)

type accessReader struct {
	db   *sql.DB
	in   chan *accessJob // unbuffered: a send succeeds only into the reader's hands
	stop chan struct{}
	done chan struct{}
	once sync.Once
	// grouped counts the statements that read more than one key, for
	// tests to see that groups form.
	grouped atomic.Int64
}

// accessJob is one request's read and where its answer goes.
type accessJob struct {
	ctx                    context.Context
	tenantID, grantID, jti string
	withGroups             bool
	result                 chan accessResult // buffered: the reader never waits for a request that left
}

type accessResult struct {
	a   store.TokenAccess
	err error
}

func newAccessReader(db *sql.DB) *accessReader {
	r := &accessReader{db: db, in: make(chan *accessJob), stop: make(chan struct{}), done: make(chan struct{})}
	go r.loop()
	return r
}

// read is TokenAccess through the reader.
func (r *accessReader) read(ctx context.Context, tenantID, grantID, jti string, withGroups bool) (store.TokenAccess, error) {
	j := &accessJob{ctx: ctx, tenantID: tenantID, grantID: grantID, jti: jti, withGroups: withGroups,
		result: make(chan accessResult, 1)}
	select {
	case r.in <- j:
	case <-ctx.Done():
		return store.TokenAccess{}, ctx.Err()
	case <-r.done:
		return store.TokenAccess{}, errStoreClosed
	}
	select {
	case res := <-j.result:
		return res.a, res.err
	case <-ctx.Done():
		return store.TokenAccess{}, ctx.Err()
	}
}

func (r *accessReader) loop() {
	defer close(r.done)
	for {
		select {
		case j := <-r.in:
			jobs := gather(r.in, j, maxAccessGroup)
			var plain, withGroups []*accessJob
			for _, j := range jobs {
				if j.withGroups {
					withGroups = append(withGroups, j)
				} else {
					plain = append(plain, j)
				}
			}
			r.answer(plain, false)
			r.answer(withGroups, true)
		case <-r.stop:
			return
		}
	}
}

// answer reads jobs, all with or all without groups, and answers each.
func (r *accessReader) answer(jobs []*accessJob, withGroups bool) {
	switch len(jobs) {
	case 0:
		return
	case 1:
		j := jobs[0]
		a, err := readTokenAccess(j.ctx, r.db, j.tenantID, j.grantID, j.jti, withGroups)
		j.result <- accessResult{a, err}
		return
	}
	r.grouped.Add(1)
	ctxs := make([]context.Context, len(jobs))
	for i, j := range jobs {
		ctxs[i] = j.ctx
	}
	ctx, release := groupContext(ctxs)
	found, err := r.readGroup(ctx, jobs, withGroups)
	release()
	for i, j := range jobs {
		switch {
		case err != nil:
			j.result <- accessResult{err: fmt.Errorf("read token access: %w", err)}
		case found[i] == nil:
			j.result <- accessResult{err: model.ErrNotFound}
		default:
			j.result <- accessResult{a: *found[i]}
		}
	}
}

// readGroup runs the group statement for jobs and returns each one's
// access, nil where its grant or member was not found.
func (r *accessReader) readGroup(ctx context.Context, jobs []*accessJob, withGroups bool) ([]*store.TokenAccess, error) {
	n := len(jobs)
	tenants, grantIDs, jtis := make([]string, n), make([]string, n), make([]string, n)
	for i, j := range jobs {
		tenants[i], grantIDs[i], jtis[i] = j.tenantID, j.grantID, j.jti
	}
	q := tokenAccessGroupQuery
	if withGroups {
		q = tokenAccessGroupWithGroupsQuery
	}
	rows, err := r.db.QueryContext(ctx, q, tenants, grantIDs, jtis)
	if err != nil {
		return nil, err
	}
	found, err := scanTokenAccessGroup(rows, n, withGroups)
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	for i, a := range found {
		if a != nil {
			a.Member.TenantID = tenants[i]
		}
	}
	return found, nil
}

// scanTokenAccessGroup reads the group statement's rows, those of one key
// together (ORDER BY k.i) and each key's as scanTokenAccess reads them.
func scanTokenAccessGroup(rows *sql.Rows, n int, withGroups bool) ([]*store.TokenAccess, error) {
	found := make([]*store.TokenAccess, n)
	var pos int64
	for rows.Next() {
		r := newTokenAccessRow()
		dest := append([]any{&pos}, r.dest[:14]...)
		if withGroups {
			dest = append([]any{&pos}, r.dest[:]...)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if pos < 1 || pos > int64(n) {
			return nil, fmt.Errorf("row for key %d of %d", pos, n)
		}
		if found[pos-1] == nil {
			a := r.a
			a.Member.Status, a.Member.UpdatedAt = model.MemberStatus(r.status), fromMicros(r.updated)
			found[pos-1] = &a
		}
		if cur := found[pos-1]; r.group.id.Valid {
			cur.Groups = append(cur.Groups, model.Group{ID: r.group.id.String, Name: r.group.name.String})
		}
	}
	return found, rows.Err()
}

// close stops the reader once it is idle; reads after it fail.
func (r *accessReader) close() {
	r.once.Do(func() { close(r.stop) })
	<-r.done
}
