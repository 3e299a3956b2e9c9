package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// table is one table as the target database describes it: the copy takes
// its column list and types from the target, and its place in the copy
// order from the target's foreign keys.
type table struct {
	name    string
	columns []column
	parents map[string]bool // tables its foreign keys reference
}

type column struct {
	name   string
	typ    string // PostgreSQL's data_type: "text", "bigint", "boolean", …
	serial bool   // filled from a sequence, which must be moved past the copied ids
}

// targetTables reads the tables of the target's current schema, in an
// order in which every table comes after the tables it references.
func targetTables(ctx context.Context, q querier) ([]table, error) {
	byName := map[string]*table{}
	rows, err := q.QueryContext(ctx, `SELECT c.table_name, c.column_name, c.data_type, COALESCE(c.column_default, '')
		FROM information_schema.columns c JOIN information_schema.tables t
		  ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
		ORDER BY c.table_name, c.ordinal_position`)
	if err != nil {
		return nil, fmt.Errorf("read target schema: %w", err)
	}
	err = eachRow(rows, func() error {
		var name, def string
		var col column
		if err := rows.Scan(&name, &col.name, &col.typ, &def); err != nil {
			return err
		}
		if name == versionTable {
			return nil
		}
		col.serial = strings.HasPrefix(def, "nextval(")
		if byName[name] == nil {
			byName[name] = &table{name: name, parents: map[string]bool{}}
		}
		byName[name].columns = append(byName[name].columns, col)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read target schema: %w", err)
	}
	if err := readParents(ctx, q, byName); err != nil {
		return nil, err
	}
	return parentsFirst(byName)
}

func readParents(ctx context.Context, q querier, byName map[string]*table) error {
	rows, err := q.QueryContext(ctx, `SELECT child.relname, parent.relname FROM pg_constraint fk
		JOIN pg_class child ON child.oid = fk.conrelid
		JOIN pg_class parent ON parent.oid = fk.confrelid
		JOIN pg_namespace ns ON ns.oid = fk.connamespace
		WHERE fk.contype = 'f' AND ns.nspname = current_schema()`)
	if err != nil {
		return fmt.Errorf("read target foreign keys: %w", err)
	}
	return eachRow(rows, func() error {
		var child, parent string
		if err := rows.Scan(&child, &parent); err != nil {
			return err
		}
		if t := byName[child]; t != nil && child != parent {
			t.parents[parent] = true
		}
		return nil
	})
}

// parentsFirst orders tables so that every row's references exist when it
// is inserted; ties go by name, so the order (and the report) is stable.
func parentsFirst(byName map[string]*table) ([]table, error) {
	var out []table
	done := map[string]bool{}
	for len(done) < len(byName) {
		progressed := false
		for _, name := range slices.Sorted(maps.Keys(byName)) {
			t := byName[name]
			if done[name] || !allDone(t.parents, done) {
				continue
			}
			out, done[name], progressed = append(out, *t), true, true
		}
		if !progressed {
			return nil, fmt.Errorf("target schema: foreign keys form a cycle among the tables not yet ordered")
		}
	}
	return out, nil
}

func allDone(parents, done map[string]bool) bool {
	for p := range parents {
		if !done[p] {
			return false
		}
	}
	return true
}

// checkSource makes sure the SQLite file has exactly the target's tables and
// columns. Both were migrated by this binary, so a difference means a
// hand-edited database, and copying part of it would lose data silently.
func checkSource(ctx context.Context, q querier, tables []table) error {
	rows, err := q.QueryContext(ctx, `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> $1`, versionTable)
	if err != nil {
		return fmt.Errorf("read source schema: %w", err)
	}
	source := map[string]bool{}
	err = eachRow(rows, func() error {
		var t, c string
		err := rows.Scan(&t, &c)
		source[t+"."+c] = true
		return err
	})
	if err != nil {
		return fmt.Errorf("read source schema: %w", err)
	}
	target := map[string]bool{}
	for _, t := range tables {
		for _, c := range t.columns {
			target[t.name+"."+c.name] = true
		}
	}
	for _, k := range slices.Sorted(maps.Keys(source)) {
		if !target[k] {
			return fmt.Errorf("the source has column %s, which the target schema lacks", k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(target)) {
		if !source[k] {
			return fmt.Errorf("the target has column %s, which the source schema lacks", k)
		}
	}
	return nil
}

// eachRow runs fn for every row and closes rows, returning the first error.
func eachRow(rows *sql.Rows, fn func() error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(); err != nil {
			return err
		}
	}
	return rows.Err()
}

// quote makes a catalog name safe to splice into SQL; both databases
// quote identifiers the same way.
func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }
