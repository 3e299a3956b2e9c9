// Package saml is the SAML 2.0 identity provider's protocol: reading and
// checking AuthnRequests and LogoutRequests (HTTP-Redirect and HTTP-POST
// bindings), building the signed Response and Assertion, the RequestDenied
// answer, the LogoutResponse and the IdP metadata. It decides nothing about
// sessions, storage or pages: internal/samlidp serves the endpoints with it.
//
// XML signing, verification and canonicalisation are never done here: the
// building blocks of github.com/crewjam/saml (its IdP side) do them, over
// github.com/russellhaering/goxmldsig. What this package adds is the
// contract of PRODUCT.md ("SAML 2.0 apps") and the defences around the
// library, each one a plain function with its own test:
//
//   - Signature wrapping: a signed request is read again from what its
//     enveloped signature covers (the library's verifiedEnvelopedElement),
//     never from the document it arrived in, and the signature must
//     reference the root element.
//   - Comments in NameID and Issuer: values are read with encoding/xml,
//     which joins the text around a comment, the same text the exclusive
//     canonicalisation without comments signs; nothing is ever cut at a
//     comment. What Guildgate emits is escaped by the XML encoder, so a
//     member's name cannot open a comment.
//   - Multiple assertions: a Response carries exactly one Assertion, built
//     here; both the Response and the Assertion are signed.
//   - XML entity expansion: a message with a DOCTYPE or any other
//     directive is refused before any XML library parses it (checkXML).
//   - Replayed requests: each accepted AuthnRequest and LogoutRequest id is
//     remembered (Replay, store-backed, so across replicas) until the
//     message would have expired anyway; a second use is refused.
//   - Deflate bombs and oversized messages: the Redirect binding's query is
//     bounded before it is parsed and the DEFLATE stream is inflated
//     through a limit (MaxMessage), so a small request cannot make the
//     server inflate or parse megabytes.
package saml
