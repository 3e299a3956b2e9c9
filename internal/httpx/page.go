package httpx

import (
	"bytes"
	"html/template"
	"net/http"
)

// WritePage renders t's "layout" with data into memory first, so a template
// error leaves w untouched and the caller can still answer with an error
// page; then writes it with status, marked no-store: pages carry CSRF
// tokens, session details or secrets.
func WritePage(w http.ResponseWriter, status int, t *template.Template, data any) error {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}
