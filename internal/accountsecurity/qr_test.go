package accountsecurity

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/boombuler/barcode/qr"
)

// TestQRSVG: one square per dark module, placed inside the quiet zone,
// and the label escaped.
func TestQRSVG(t *testing.T) {
	uri := "otpauth://totp/Bakers:ann@example.org?secret=JBSWY3DPEHPK3PXP&issuer=Bakers"
	svg, err := qrSVG(uri, `QR "code" <x>`)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := qr.Encode(uri, qr.M, qr.Auto)
	n := code.Bounds().Dx()
	dark := 0
	for y := range n {
		for x := range n {
			if r, _, _, _ := code.At(x, y).RGBA(); r == 0 {
				dark++
			}
		}
	}
	s := string(svg)
	if got := strings.Count(s, "h1v1h-1z"); got != dark || dark == 0 {
		t.Fatalf("%d squares for %d dark modules", got, dark)
	}
	if !strings.Contains(s, `aria-label="QR &#34;code&#34; &lt;x&gt;"`) || strings.Contains(s, "<x>") {
		t.Fatalf("label not escaped: %s", s[:200])
	}
	size := n + 2*quietZone
	for _, m := range regexp.MustCompile(`M(\d+) (\d+)`).FindAllStringSubmatch(s, -1) {
		for _, v := range m[1:] {
			if c, _ := strconv.Atoi(v); c < quietZone || c >= size-quietZone {
				t.Fatalf("module at %s is in the quiet zone", m[0])
			}
		}
	}
	if !strings.Contains(s, `viewBox="0 0 `+strconv.Itoa(size)+" "+strconv.Itoa(size)+`"`) {
		t.Fatalf("viewBox: %s", s[:200])
	}
}
