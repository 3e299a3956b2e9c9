package federation

import (
	"errors"
	"github.com/guildgate/guildgate/internal/tenancy"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/guildgate/guildgate/internal/httpx"
	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/ui"
	"github.com/guildgate/guildgate/internal/upstream"
)

// failure is a sign-in that ends on the federation error page: a fixed
// message in plain words (never the provider's error text, which may be
// attacker-chosen), a retry link, and the cause for the log only.
type failure struct {
	status   int
	heading  i18n.Message
	message  i18n.Message
	retryURL string
	reason   string // short, for the audit log and metrics
	cause    error
	// retryAfter, when positive, is sent as Retry-After (a 429).
	retryAfter time.Duration
}

func (f *failure) Error() string { return f.reason + ": " + errText(f.cause) }
func (f *failure) Unwrap() error { return f.cause }

func errText(err error) string {
	if err == nil {
		return "-"
	}
	return err.Error()
}

// Fixed messages, one per thing a member can do something about.
var (
	msgStartOver   = i18n.M("federation.start_over")
	msgDenied      = i18n.M("federation.denied")
	msgUnavailable = i18n.M("federation.unavailable")
	msgInvalid     = i18n.M("federation.invalid")
	msgMisconfig   = i18n.M("federation.misconfigured")
	msgNoConn      = i18n.M("federation.no_connection")
)

func startOver(reason string, cause error) *failure {
	return &failure{status: http.StatusBadRequest, heading: i18n.M("federation.heading.start_again"), message: msgStartOver,
		reason: reason, cause: cause}
}

// upstreamFailure turns a connector error into its page.
func upstreamFailure(err error, retry string) *failure {
	f := &failure{retryURL: retry, cause: err, heading: i18n.M("federation.heading.failed")}
	switch k := upstream.KindOf(err); k {
	case upstream.Denied:
		f.status, f.message, f.reason = http.StatusForbidden, msgDenied, "upstream_denied"
	case upstream.Unavailable:
		f.status, f.message, f.reason = http.StatusBadGateway, msgUnavailable, "upstream_unavailable"
	case upstream.Misconfigured:
		f.status, f.message, f.reason = http.StatusBadGateway, msgMisconfig, "upstream_misconfigured"
	default:
		f.status, f.message, f.reason = http.StatusBadRequest, msgInvalid, "upstream_invalid"
	}
	return f
}

// tooManyStarts refuses a start over its address's rate limit.
func tooManyStarts(wait time.Duration) *failure {
	secs := int(wait.Round(time.Second) / time.Second)
	return &failure{status: http.StatusTooManyRequests, heading: i18n.M("federation.heading.too_many"),
		message: i18n.M("federation.too_many", secs),
		reason:  "start_rate_limited", retryAfter: wait}
}

// refused is a verified sign-in that may not proceed (linking rules).
func refused(reason string, message i18n.Message) *failure {
	return &failure{status: http.StatusForbidden, heading: i18n.M("federation.heading.refused"), message: message, reason: reason}
}

// handle adapts fn: a *failure renders the federation error page; anything
// else goes to the site's error writer (a 500 with a request id).
func (h *Handler) handle(fn httpx.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := fn(w, r)
		if err == nil {
			return
		}
		var f *failure
		if !errors.As(err, &f) {
			h.Pages.Write(w, r, err)
			return
		}
		rid := httpx.RequestIDFrom(r.Context())
		h.Logger.LogAttrs(r.Context(), slog.LevelInfo, "upstream sign-in failed", slog.String("request_id", rid),
			slog.String("reason", f.reason), slog.String("cause", errText(f.cause)))
		if f.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(f.retryAfter.Round(time.Second)/time.Second)))
		}
		t, _ := tenancy.FromRequest(r) // without one, the page still says what happened
		if err := h.UI.Render(w, f.status, ui.PageSSOError, ui.SSOError{Page: ui.PageFor(r, t), Status: f.status,
			Heading: f.heading, Message: f.message, RetryURL: f.retryURL, RequestID: rid}); err != nil {
			h.Pages.Write(w, r, httpx.Internal(err))
		}
	})
}
