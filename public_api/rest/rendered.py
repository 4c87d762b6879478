"""A response whose JSON body was rendered earlier (a body kept in the read cache).

Rendering is most of what a cache hit would otherwise cost: the body is stored as the bytes
DRF's JSONRenderer produced, and sent as they are when the request negotiated that renderer
with its defaults. Any other outcome of content negotiation (`application/json; indent=4`, or
a renderer a view adds later, such as the browsable API) decodes the body and renders it as
any Response would, so what a client receives does not depend on the cache.
"""

import json
from typing import Any

from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response


def render_json(data: Any) -> bytes:
    """The body DRF's JSONRenderer sends for `data` (with its defaults: no indent)."""
    return JSONRenderer().render(data)


class RenderedJSONResponse(Response):
    _data: Any = None
    renderer_context: dict  # set by APIView.finalize_response, as for any Response

    def __init__(self, body: bytes, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)
        self.rendered_body = body

    @property
    def data(self) -> Any:
        """The body decoded, when something reads it (a test, another renderer)."""
        if self._data is None and getattr(self, "rendered_body", None) is not None:
            self._data = json.loads(self.rendered_body)
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        self._data = value

    @property
    def rendered_content(self):  # bytes, as DRF's Response (typed str in Django's stubs)
        if not self._negotiated_as_rendered():
            return super().rendered_content
        self["Content-Type"] = JSONRenderer.media_type
        return self.rendered_body

    def _negotiated_as_rendered(self) -> bool:
        renderer = getattr(self, "accepted_renderer", None)
        return (
            type(renderer) is JSONRenderer
            and self.content_type is None
            and renderer.get_indent(self.accepted_media_type, self.renderer_context) is None
        )
