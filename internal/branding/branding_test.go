package branding

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestColors(t *testing.T) {
	for c, ok := range map[string]bool{
		"":        true,
		"#1f5fbf": true, "#000000": true, "#767676": true, // #767676 is the lightest grey with 4.5:1
		"#777777": false, "#ffffff": false, "#ffbf47": false, // too light for white text
		"1f5fbf": false, "#1f5fb": false, "#1f5fbfa": false, "red": false, "#GGGGGG": false, "#1f5fbf;}": false,
	} {
		if got := CheckColor(c) == ""; got != ok {
			t.Errorf("CheckColor(%q) accepts %v, want %v (%s)", c, got, ok, CheckColor(c))
		}
	}
	if r := ContrastWithWhite("#000000"); r < 20.99 || r > 21.01 {
		t.Errorf("black: %v", r)
	}
	if d := Darker("#1f5fbf"); CheckColor(d) != "" || d >= "#1f5fbf" {
		t.Errorf("Darker = %s", d)
	}
}

func TestURLsAndMessage(t *testing.T) {
	for u, ok := range map[string]bool{
		"": true, "https://guild.example/help": true,
		"javascript:alert(1)": false, "http://guild.example/": false, "https://user:pw@guild.example/": false,
		"//guild.example/x": false, "data:text/html,hi": false, "https://": false, "https://" + strings.Repeat("a", 3000): false,
	} {
		if got := CheckURL(u) == ""; got != ok {
			t.Errorf("CheckURL(%q) accepts %v, want %v", u, got, ok)
		}
	}
	if CheckMessage("Welcome, bakers!") != "" || CheckMessage(strings.Repeat("é", 281)) == "" || CheckMessage("a\nb") == "" ||
		CheckMessage("\xff") == "" {
		t.Error("message rules")
	}
}

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, 0, color.RGBA{R: 200, A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegBytes(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 8, 8)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withText inserts a PNG tEXt chunk (metadata) after the header chunk.
func withText(p []byte, text string) []byte {
	const ihdrEnd = 8 + 25
	body := append([]byte("tEXt"), text...)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(text)))
	chunk = append(chunk, body...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(body))
	return append(append(append([]byte{}, p[:ihdrEnd]...), chunk...), p[ihdrEnd:]...)
}

func TestLogos(t *testing.T) {
	okPNG := pngBytes(t, 40, 20)
	l, err := NormalizeLogo(okPNG)
	if err != nil || l.Type != "image/png" || len(l.Hash) != 64 {
		t.Fatalf("PNG: %+v %v", l.Type, err)
	}
	if img, err := png.Decode(bytes.NewReader(l.Data)); err != nil || img.Bounds().Dx() != 40 {
		t.Fatalf("re-encoded PNG does not decode: %v", err)
	}
	if l, err := NormalizeLogo(jpegBytes(t)); err != nil || l.Type != "image/jpeg" {
		t.Fatalf("JPEG: %v", err)
	}
	// Metadata and anything after the image do not survive the redraw.
	tagged := append(withText(okPNG, "Author\x00secret"), []byte("<script>alert(1)</script>")...)
	if l, err := NormalizeLogo(tagged); err != nil || bytes.Contains(l.Data, []byte("secret")) || bytes.Contains(l.Data, []byte("<script")) {
		t.Fatalf("metadata or trailer kept: %v", err)
	}
	exif := jpegBytes(t)
	exif = append(append(append([]byte{}, exif[:2]...), []byte("\xff\xe1\x00\x10Exif\x00\x00GPS-at-home")...), exif[2:]...)
	if l, err := NormalizeLogo(exif); err != nil || bytes.Contains(l.Data, []byte("GPS-at-home")) {
		t.Fatalf("EXIF kept: %v", err)
	}
	refused := map[string][]byte{
		"empty":           nil,
		"HTML":            []byte("<!doctype html><script>alert(1)</script>"),
		"SVG":             []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>`),
		"HTML then PNG":   append([]byte("<html><script>alert(1)</script>"), okPNG...),
		"GIF":             []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
		"truncated PNG":   okPNG[:len(okPNG)/2],
		"PNG header only": []byte("\x89PNG\r\n\x1a\n<html>"),
		"fake WebP":       []byte("RIFF\x10\x00\x00\x00WEBPVP8 <html>"),
		"oversized":       append(append([]byte{}, okPNG...), make([]byte, MaxLogoBytes)...),
		"too many pixels": pngBytes(t, 4000, 1),
	}
	for name, b := range refused {
		if _, err := NormalizeLogo(b); !errors.Is(err, ErrLogo) {
			t.Errorf("%s: %v, want ErrLogo", name, err)
		}
	}
}

// Real WebP files (lossy VP8, and lossless VP8L with alpha) are accepted
// and redrawn as PNG of the same size: browsers and mail readers show PNG
// everywhere, and no WebP byte is served.
func TestWebPLogos(t *testing.T) {
	for name, size := range map[string][2]int{"lossy.webp": {150, 103}, "lossless-alpha.webp": {75, 100}} {
		raw, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		l, err := NormalizeLogo(raw)
		if err != nil || l.Type != "image/png" {
			t.Fatalf("%s: %v %q", name, err, l.Type)
		}
		img, err := png.Decode(bytes.NewReader(l.Data))
		if err != nil || img.Bounds().Dx() != size[0] || img.Bounds().Dy() != size[1] {
			t.Fatalf("%s: redrawn as %v (%v), want %v", name, img.Bounds(), err, size)
		}
		if bytes.Contains(l.Data, []byte("WEBP")) {
			t.Errorf("%s: WebP bytes kept", name)
		}
	}
}
