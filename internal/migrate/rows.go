package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// maxParams stays under PostgreSQL's 65,535 parameters per statement, and
// maxBatch keeps one statement's size sensible: together they make a large
// directory a few hundred round trips, not one per row.
const (
	maxParams = 60000
	maxBatch  = 500
)

// copyTable streams t's rows from the source into multi-row INSERTs on the
// target and returns how many it copied.
func copyTable(ctx context.Context, from, to *sql.Tx, t table) (int64, error) {
	names := make([]string, len(t.columns))
	for i, c := range t.columns {
		names[i] = quote(c.name)
	}
	cols := strings.Join(names, ", ")
	rows, err := from.QueryContext(ctx, `SELECT `+cols+` FROM `+quote(t.name))
	if err != nil {
		return 0, fmt.Errorf("read: %w", err)
	}
	per := min(maxBatch, maxParams/len(t.columns))
	var batch []any
	var copied int64
	flush := func() error {
		n, err := insert(ctx, to, t, cols, batch)
		copied += n
		batch = batch[:0]
		return err
	}
	err = eachRow(rows, func() error {
		vals := make([]any, len(t.columns))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("read: %w", err)
		}
		for i, c := range t.columns {
			batch = append(batch, convert(vals[i], c.typ))
		}
		if len(batch) == per*len(t.columns) {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	return copied, err
}

func insert(ctx context.Context, to *sql.Tx, t table, cols string, vals []any) (int64, error) {
	var b strings.Builder
	b.WriteString(`INSERT INTO ` + quote(t.name) + ` (` + cols + `) VALUES `)
	for i := range vals {
		switch {
		case i == 0:
			b.WriteString("(")
		case i%len(t.columns) == 0:
			b.WriteString("), (")
		default:
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(i+1))
	}
	b.WriteString(")")
	res, err := to.ExecContext(ctx, b.String(), vals...)
	if err != nil {
		return 0, fmt.Errorf("write: %w", err)
	}
	return res.RowsAffected()
}

// convert turns a value as SQLite returns it into what the target column
// takes. SQLite has no boolean or a separate text/blob distinction the
// driver keeps, so those are the conversions; everything else (BIGINT
// times, TEXT, NULL) passes through unchanged.
func convert(v any, pgType string) any {
	switch pgType {
	case "boolean":
		if n, ok := v.(int64); ok {
			return n != 0
		}
	case "double precision", "real", "numeric":
		if n, ok := v.(int64); ok {
			return float64(n)
		}
	case "text", "character varying":
		if b, ok := v.([]byte); ok {
			return string(b)
		}
	case "bytea":
		if s, ok := v.(string); ok {
			return []byte(s)
		}
	}
	return v
}
