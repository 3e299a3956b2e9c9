package ui

import (
	"regexp"
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/i18n"
)

// deviceSamples are the device flow's pages in each of their states.
var deviceSamples = map[string][]any{
	PageDeviceCode: {
		DeviceCode{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok"},
		DeviceCode{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Code: "BCDF-GHJK", Error: i18n.M("device.error.invalid")},
	},
	PageDeviceConfirm: {
		DeviceConfirm{Page: Page{Site: "Guild of Bakers"}, CSRFToken: "tok", Ref: "sealed", Client: "Lobby screen",
			Code: "BCDF-GHJK", Email: "ann@example.org"},
	},
	PageDeviceDone: {
		DeviceDone{Page: Page{Site: "Guild of Bakers"}, Approved: true, Client: "Lobby screen"},
		DeviceDone{Page: Page{Site: "Guild of Bakers"}, Client: "Lobby screen"},
	},
}

// TestDevicePagesRender holds the device pages to every page's rules:
// one h1, labelled inputs tied to their help and error, no inline code,
// and what the member must compare (the application and the code).
func TestDevicePagesRender(t *testing.T) {
	inline := regexp.MustCompile(`(?i)<script|<style|\sstyle=|\son[a-z]+=|javascript:|https?://`)
	u := newUI(t)
	for _, name := range devicePageNames {
		for i, data := range deviceSamples[name] {
			w, body := render(t, u, name, data)
			if !strings.Contains(body, "Guild of Bakers") || w.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("%s #%d: layout or headers missing", name, i)
			}
			if n := strings.Count(body, "<h1"); n != 1 {
				t.Errorf("%s #%d: %d h1", name, i, n)
			}
			if m := inline.FindString(body); m != "" {
				t.Errorf("%s #%d contains %q", name, i, m)
			}
			for _, m := range regexp.MustCompile(`<input id="([a-z0-9_]+)"`).FindAllStringSubmatch(body, -1) {
				if !strings.Contains(body, `<label for="`+m[1]+`"`) {
					t.Errorf("%s #%d: input %s has no label", name, i, m[1])
				}
			}
		}
	}
	_, body := render(t, u, PageDeviceCode, deviceSamples[PageDeviceCode][1])
	if !strings.Contains(body, `aria-describedby="device-code-help form-error"`) || !strings.Contains(body, `aria-invalid="true"`) ||
		!strings.Contains(body, `value="BCDF-GHJK"`) {
		t.Errorf("refused code:\n%s", body)
	}
	_, body = render(t, u, PageDeviceConfirm, deviceSamples[PageDeviceConfirm][0])
	for _, s := range []string{"<strong>Lobby screen</strong>", "<strong>BCDF-GHJK</strong>", `name="decision" value="approve"`, `name="decision" value="deny"`} {
		if !strings.Contains(body, s) {
			t.Errorf("confirmation lacks %q:\n%s", s, body)
		}
	}
}
