package sqlstore

import (
	"database/sql/driver"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// batchRows is a query's rows read from the batch that sent it after the
// transaction's BEGIN and held writes (pgConn.sendQuery): database/sql
// reads them as it reads stdlib's rows, and closing them reads the rest of
// the batch, which frees the connection.
type batchRows struct {
	rows    pgx.Rows
	br      pgx.BatchResults
	columns []string
	convert []columnValue
	first   bool // rows is on its first row, not yet returned
	more    bool // and there is one
}

// newBatchRows reads the first row of rows, the batch's last result, so
// that the query's own error is the query's, as stdlib's QueryContext
// does; on an error it closes rows and the batch.
func newBatchRows(m *pgtype.Map, br pgx.BatchResults, rows pgx.Rows) (*batchRows, error) {
	more := rows.Next()
	if err := rows.Err(); err != nil {
		rows.Close()
		_ = br.Close()
		return nil, err
	}
	fields := rows.FieldDescriptions()
	r := &batchRows{rows: rows, br: br, columns: make([]string, len(fields)),
		convert: make([]columnValue, len(fields)), first: true, more: more}
	for i, fd := range fields {
		r.columns[i], r.convert[i] = fd.Name, valueOf(m, fd)
	}
	return r, nil
}

func (r *batchRows) Columns() []string { return r.columns }

// Close closes the rows, then the batch: the error is the first of the two.
func (r *batchRows) Close() error {
	r.rows.Close()
	err := r.rows.Err()
	if cerr := r.br.Close(); err == nil {
		err = cerr
	}
	return err
}

func (r *batchRows) Next(dest []driver.Value) error {
	more := r.more
	if r.first {
		r.first = false
	} else {
		more = r.rows.Next()
	}
	if !more {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return io.EOF
	}
	for i, raw := range r.rows.RawValues() {
		if raw == nil {
			dest[i] = nil
			continue
		}
		v, err := r.convert[i](raw)
		if err != nil {
			return fmt.Errorf("convert field %d failed: %w", i, err)
		}
		dest[i] = v
	}
	return nil
}

// columnValue turns a column's non-NULL raw value into a driver.Value.
type columnValue func(raw []byte) (driver.Value, error)

// valueOf gives a column the driver.Value stdlib.Rows.Next gives it (pgx
// v5.12.0's initValueFuncs, mirrored type for type), so a row scans the
// same whichever path read it: bool, float64, int64 and []byte for the
// types that have them, pgtype's driver values for dates, times and OIDs,
// and a string for every other type. pgx's batch asks for the binary
// format of types that have one, where stdlib asks for text beyond the
// intrinsic types: the string scan plan gives the same text from either
// for text, varchar, numeric, uuid and xml, and fails on an array or an
// interval, which the store never reads and a query can cast to text
// (TestPostgresBatchRowsAsStdlib compares the two).
func valueOf(m *pgtype.Map, fd pgconn.FieldDescription) columnValue {
	oid, format := fd.DataTypeOID, fd.Format
	switch oid {
	case pgtype.BoolOID:
		return as(m, oid, format, func(d bool) (driver.Value, error) { return d, nil })
	case pgtype.ByteaOID, pgtype.JSONOID, pgtype.JSONBOID, pgtype.XMLOID:
		return as(m, oid, format, func(d []byte) (driver.Value, error) { return d, nil })
	case pgtype.CIDOID, pgtype.OIDOID, pgtype.XIDOID:
		return as(m, oid, format, pgtype.Uint32.Value)
	case pgtype.DateOID:
		return as(m, oid, format, pgtype.Date.Value)
	case pgtype.Float4OID:
		return as(m, oid, format, func(d float32) (driver.Value, error) { return float64(d), nil })
	case pgtype.Float8OID:
		return as(m, oid, format, func(d float64) (driver.Value, error) { return d, nil })
	case pgtype.Int2OID:
		return as(m, oid, format, func(d int16) (driver.Value, error) { return int64(d), nil })
	case pgtype.Int4OID:
		return as(m, oid, format, func(d int32) (driver.Value, error) { return int64(d), nil })
	case pgtype.Int8OID:
		return as(m, oid, format, func(d int64) (driver.Value, error) { return d, nil })
	case pgtype.TimestampOID:
		return as(m, oid, format, pgtype.Timestamp.Value)
	case pgtype.TimestamptzOID:
		return as(m, oid, format, pgtype.Timestamptz.Value)
	default:
		return as(m, oid, format, func(d string) (driver.Value, error) { return d, nil })
	}
}

// as scans a raw value into a T with the type map's plan for the column,
// then makes it a driver.Value.
func as[T any](m *pgtype.Map, oid uint32, format int16, value func(T) (driver.Value, error)) columnValue {
	var d T
	plan := m.PlanScan(oid, format, &d)
	return func(raw []byte) (driver.Value, error) {
		if err := plan.Scan(raw, &d); err != nil {
			return nil, err
		}
		return value(d)
	}
}
