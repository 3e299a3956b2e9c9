package branding

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"

	"golang.org/x/image/webp"
)

// MaxLogoBytes bounds an uploaded logo.
const MaxLogoBytes = 256 << 10

// maxLogoSide bounds a logo's width and height in pixels, checked before
// the pixels are decoded, so a small file cannot unpack into gigabytes.
const maxLogoSide = 2048

// Logo is a re-encoded logo, ready to serve.
type Logo struct {
	Type string // image/png or image/jpeg
	Data []byte
	Hash string // hex SHA-256 of Data: its URL and cache validator
}

// ErrLogo is the kind of every refusal of an upload.
var ErrLogo = errors.New("logo refused")

func refuse(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrLogo}, args...)...)
}

// NormalizeLogo accepts a PNG, JPEG or WebP of at most MaxLogoBytes whose
// bytes are an image of the type their signature says, and returns it
// drawn afresh: PNG and WebP as PNG, JPEG as JPEG. Anything else (HTML,
// SVG, GIF, a polyglot that is not wholly an image, a truncated file) is
// refused with ErrLogo.
func NormalizeLogo(raw []byte) (Logo, error) {
	if len(raw) == 0 {
		return Logo{}, refuse("the file is empty")
	}
	if len(raw) > MaxLogoBytes {
		return Logo{}, refuse("the file is %d KiB; at most %d KiB is accepted", (len(raw)+1023)/1024, MaxLogoBytes>>10)
	}
	kind, decode, config := sniff(raw)
	if kind == "" {
		return Logo{}, refuse("the file is not a PNG, JPEG or WebP image")
	}
	cfg, err := config(bytes.NewReader(raw))
	if err != nil {
		return Logo{}, refuse("the file is not a valid %s image", kind)
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > maxLogoSide || cfg.Height > maxLogoSide {
		return Logo{}, refuse("the image is %d×%d pixels; at most %d×%d is accepted", cfg.Width, cfg.Height, maxLogoSide, maxLogoSide)
	}
	img, err := decode(bytes.NewReader(raw))
	if err != nil {
		return Logo{}, refuse("the file is not a valid %s image", kind)
	}
	var out bytes.Buffer
	typ := "image/png"
	if kind == "JPEG" {
		typ = "image/jpeg"
		err = jpeg.Encode(&out, img, &jpeg.Options{Quality: 90})
	} else {
		err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&out, img)
	}
	if err != nil {
		return Logo{}, fmt.Errorf("re-encode logo: %w", err)
	}
	sum := sha256.Sum256(out.Bytes())
	return Logo{Type: typ, Data: out.Bytes(), Hash: hex.EncodeToString(sum[:])}, nil
}

// sniff names the image type by its signature, with its decoders; "" for
// none we accept. The signature must open the file: a polyglot that hides
// an image after HTML is refused here, one that hides HTML after an image
// is redrawn without it.
func sniff(b []byte) (string, func(r *bytes.Reader) (image.Image, error), func(r *bytes.Reader) (image.Config, error)) {
	switch {
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "PNG", func(r *bytes.Reader) (image.Image, error) { return png.Decode(r) },
			func(r *bytes.Reader) (image.Config, error) { return png.DecodeConfig(r) }
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return "JPEG", func(r *bytes.Reader) (image.Image, error) { return jpeg.Decode(r) },
			func(r *bytes.Reader) (image.Config, error) { return jpeg.DecodeConfig(r) }
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "WebP", func(r *bytes.Reader) (image.Image, error) { return webp.Decode(r) },
			func(r *bytes.Reader) (image.Config, error) { return webp.DecodeConfig(r) }
	}
	return "", nil, nil
}
