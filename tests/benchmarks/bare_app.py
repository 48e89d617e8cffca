"""The serving baseline: a bare Flask app returning recorded responses byte for byte.

bench_serve.py records what the feeds app answers for one URL (200 body and headers, and the
304 headers for its ETag) into a JSON file named by BARE_SPEC; this app answers that URL with
exactly those bytes and headers and nothing else: no routing by topic, no negotiation, no
validators computed per request. The feeds app can only be slower; the ratio shows by how much.

    BARE_SPEC=/tmp/spec.json gunicorn -w 2 'bare_app:create_app()'
"""

from __future__ import annotations

import base64
import json
import os

from flask import Flask, Response, request


def create_app() -> Flask:
    with open(os.environ["BARE_SPEC"], encoding="utf-8") as fh:
        spec = json.load(fh)
    body = base64.b64decode(spec["body"])
    headers_200 = [tuple(h) for h in spec["headers_200"]]
    headers_304 = [tuple(h) for h in spec["headers_304"]]
    etag = spec["etag"]
    app = Flask(__name__, static_folder=None)

    @app.get(spec["path"])
    def recorded() -> Response:
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers=headers_304)
        return Response(body, headers=headers_200)

    return app
