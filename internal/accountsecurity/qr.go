package accountsecurity

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/boombuler/barcode/qr"
)

// quietZone is the blank border, in modules, that QR readers need (ISO/IEC
// 18004 asks for four).
const quietZone = 4

// qrSVG draws content as an inline SVG: one path of unit squares, drawn
// on the server, so the page needs no script, no image URL and no data:
// source, which the site's CSP would refuse. Medium error correction
// suits a code read off a screen.
func qrSVG(content, label string) (template.HTML, error) {
	code, err := qr.Encode(content, qr.M, qr.Auto)
	if err != nil {
		return "", fmt.Errorf("accountsecurity: qr code: %w", err)
	}
	b := code.Bounds()
	size := b.Dx() + 2*quietZone
	var path strings.Builder
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if r, _, _, _ := code.At(x, y).RGBA(); r == 0 {
				fmt.Fprintf(&path, "M%d %dh1v1h-1z", x-b.Min.X+quietZone, y-b.Min.Y+quietZone)
			}
		}
	}
	svg := fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-label="%s" shape-rendering="crispEdges">`+
		`<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="%s"/></svg>`,
		size, size, template.HTMLEscapeString(label), size, size, path.String())
	return template.HTML(svg), nil // every part is numbers or escaped
}
