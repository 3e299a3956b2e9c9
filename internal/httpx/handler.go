package httpx

import (
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"

	"github.com/guildgate/guildgate/internal/i18n"
)

// HandlerFunc is a handler that returns its failure instead of writing it, so
// the decision of what the client sees is made once, by an ErrorWriter.
// A HandlerFunc must not return an error after it has written a response.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// ErrorRenderer writes an error response in one surface's form: an HTML page
// for browser routes, later OAuth JSON or an error redirect. It may inspect
// e.Cause (errors.As) for protocol details but must never print it.
type ErrorRenderer interface {
	RenderError(w http.ResponseWriter, r *http.Request, e *Error)
}

// ErrorWriter logs an error with its cause and request id, then renders it.
// Build one per surface; routes choose theirs when they are mounted.
type ErrorWriter struct {
	Renderer ErrorRenderer
	Logger   *slog.Logger
}

// Handle adapts fn to http.Handler, rendering its error with ew.
func (ew *ErrorWriter) Handle(fn HandlerFunc) http.Handler { return Handler{Fn: fn, Errors: ew} }

// Write logs err and renders it. Any error that is not an *Error becomes a
// 500 with a fixed message.
func (ew *ErrorWriter) Write(w http.ResponseWriter, r *http.Request, err error) {
	e := AsError(err)
	ew.log(r, e)
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(e.RetryAfter.Seconds()))))
	}
	ew.Renderer.RenderError(w, r, e)
}

func (ew *ErrorWriter) log(r *http.Request, e *Error) {
	level := slog.LevelInfo
	if e.Status >= http.StatusInternalServerError {
		level = slog.LevelError
	}
	attrs := []slog.Attr{
		slog.String("request_id", RequestIDFrom(r.Context())),
		slog.Int("status", e.Status),
		slog.String("route", r.Pattern),
	}
	if e.Cause != nil {
		attrs = append(attrs, slog.String("cause", e.Cause.Error()))
	}
	ew.Logger.LogAttrs(r.Context(), level, "request failed", attrs...)
}

// Handler is a HandlerFunc bound to the ErrorWriter of its surface. (A bare
// func type cannot carry an injected renderer without a global, so the pair
// is the http.Handler.)
type Handler struct {
	Fn     HandlerFunc
	Errors *ErrorWriter
}

func (h Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h.Fn(w, r); err != nil {
		h.Errors.Write(w, r, err)
	}
}

// PlainErrors renders errors as text/plain. It suits machine endpoints and is
// the fallback when an HTML page cannot be rendered.
type PlainErrors struct{}

func (PlainErrors) RenderError(w http.ResponseWriter, r *http.Request, e *Error) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(e.Status)
	_, _ = fmt.Fprintf(w, "%s\nRequest id: %s\n", e.Message, RequestIDFrom(r.Context()))
}

// ErrorPages is what an HTML page renderer (package ui) offers. It must not
// write anything when it returns an error, so a fallback can still be sent.
type ErrorPages interface {
	ErrorPage(w http.ResponseWriter, r *http.Request, status int, msg i18n.Message, requestID string) error
}

// HTMLErrors renders errors as the site's HTML error page.
type HTMLErrors struct {
	Pages  ErrorPages
	Logger *slog.Logger
}

func (h HTMLErrors) RenderError(w http.ResponseWriter, r *http.Request, e *Error) {
	err := h.Pages.ErrorPage(w, r, e.Status, e.Localized(), RequestIDFrom(r.Context()))
	if err == nil {
		return
	}
	h.Logger.LogAttrs(r.Context(), slog.LevelError, "render error page",
		slog.String("request_id", RequestIDFrom(r.Context())), slog.String("cause", err.Error()))
	PlainErrors{}.RenderError(w, r, e)
}
