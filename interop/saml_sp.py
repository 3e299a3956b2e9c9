#!/usr/bin/python3
"""A tiny SAML service provider built on python3-saml (OneLogin's toolkit,
Debian's python3-onelogin-saml2, with libxmlsec1 underneath), for
saml_test.go. It does the SP's half of each flow and nothing else: the Go
test plays the browser between it and Guildgate.

One operation per run: a JSON object on stdin, a JSON object on stdout.
  {"op": "login", "binding": "redirect"|"post", "relay_state": ...}
      -> {"url": ..., "fields": {...}, "request_id": ...}
  {"op": "acs", "fields": {"SAMLResponse": ..., "RelayState": ...},
   "request_id": ... or null}
      -> {"errors": [...], "reason": ..., "name_id": ..., "name_id_format": ...,
          "session_index": ..., "attributes": {...}}
  {"op": "logout", "name_id": ..., "session_index": ...}
      -> {"url": ..., "request_id": ...}
  {"op": "sls", "query": "<raw query of the LogoutResponse redirect>",
   "request_id": ...}
      -> {"errors": [...], "reason": ...}
Every op also gets "sp": {"entity_id", "acs", "sls", "cert", "key"} and
"idp_metadata" (the XML Guildgate serves at /saml/metadata).

The settings are strict: signed responses and assertions required, SHA-256
only, destination, recipient, audience, InResponseTo and time bounds
checked by the toolkit itself.
"""

import json
import sys
from urllib.parse import parse_qs, urlparse

from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.authn_request import OneLogin_Saml2_Authn_Request
from onelogin.saml2.constants import OneLogin_Saml2_Constants as C
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
from onelogin.saml2.settings import OneLogin_Saml2_Settings
from onelogin.saml2.utils import OneLogin_Saml2_Utils


def settings(cmd):
    sp = cmd["sp"]
    idp = OneLogin_Saml2_IdPMetadataParser.parse(
        cmd["idp_metadata"],
        required_sso_binding=C.BINDING_HTTP_REDIRECT,
        required_slo_binding=C.BINDING_HTTP_REDIRECT,
    )
    base = {
        "strict": True,
        "debug": False,
        "sp": {
            "entityId": sp["entity_id"],
            "assertionConsumerService": {"url": sp["acs"], "binding": C.BINDING_HTTP_POST},
            "singleLogoutService": {"url": sp["sls"], "binding": C.BINDING_HTTP_REDIRECT},
            "NameIDFormat": C.NAMEID_PERSISTENT,
            "x509cert": sp["cert"],
            "privateKey": sp["key"],
        },
        "security": {
            "authnRequestsSigned": True,
            "logoutRequestSigned": True,
            "logoutResponseSigned": True,
            "wantMessagesSigned": True,
            "wantAssertionsSigned": True,
            "wantNameId": True,
            "wantAttributeStatement": True,
            "requestedAuthnContext": False,
            "signatureAlgorithm": C.RSA_SHA256,
            "digestAlgorithm": C.SHA256,
        },
    }
    return OneLogin_Saml2_IdPMetadataParser.merge_settings(base, idp)


def request_data(url, get=None, post=None):
    u = urlparse(url)
    return {
        "https": "on",
        "http_host": u.hostname,
        "server_port": str(u.port or 443),
        "script_name": u.path,
        "get_data": get or {},
        "post_data": post or {},
    }


def login(cmd):
    s = settings(cmd)
    if cmd["binding"] == "redirect":
        auth = OneLogin_Saml2_Auth(request_data(cmd["sp"]["acs"]), s)
        url = auth.login(return_to=cmd["relay_state"])
        return {"url": url, "request_id": auth.get_last_request_id()}
    # HTTP-POST: the toolkit builds and signs the request (an enveloped
    # signature); the browser posts it to the IdP's SSO URL.
    conf = OneLogin_Saml2_Settings(s)
    req = OneLogin_Saml2_Authn_Request(conf)
    signed = OneLogin_Saml2_Utils.add_sign(
        req.get_xml(), conf.get_sp_key(), conf.get_sp_cert(),
        sign_algorithm=C.RSA_SHA256, digest_algorithm=C.SHA256)
    sso = s["idp"]["singleSignOnService"]["url"]
    return {
        "url": sso,
        "fields": {"SAMLRequest": OneLogin_Saml2_Utils.b64encode(signed), "RelayState": cmd["relay_state"]},
        "request_id": req.get_id(),
    }


def acs(cmd):
    auth = OneLogin_Saml2_Auth(request_data(cmd["sp"]["acs"], post=cmd["fields"]), settings(cmd))
    auth.process_response(request_id=cmd.get("request_id"))
    return {
        "errors": auth.get_errors(),
        "reason": auth.get_last_error_reason(),
        "name_id": auth.get_nameid(),
        "name_id_format": auth.get_nameid_format(),
        "session_index": auth.get_session_index(),
        "attributes": auth.get_attributes(),
    }


def logout(cmd):
    auth = OneLogin_Saml2_Auth(request_data(cmd["sp"]["sls"]), settings(cmd))
    url = auth.logout(return_to="bye", name_id=cmd["name_id"], session_index=cmd["session_index"],
                      name_id_format=C.NAMEID_PERSISTENT)
    return {"url": url, "request_id": auth.get_last_request_id()}


def sls(cmd):
    get = {k: v[0] for k, v in parse_qs(cmd["query"], keep_blank_values=True).items()}
    auth = OneLogin_Saml2_Auth(request_data(cmd["sp"]["sls"], get=get), settings(cmd))
    auth.process_slo(keep_local_session=True, request_id=cmd["request_id"])
    return {"errors": auth.get_errors(), "reason": auth.get_last_error_reason()}


def main():
    cmd = json.load(sys.stdin)
    ops = {"login": login, "acs": acs, "logout": logout, "sls": sls}
    json.dump(ops[cmd["op"]](cmd), sys.stdout)


if __name__ == "__main__":
    main()
