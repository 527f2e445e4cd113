"""Student Markdown (with LaTeX maths and embedded images) to HTML that cannot run script.

Markdown by mistune (as nbconvert uses it), then bleach with an allow-list: no script, no
event handlers, no style, links only http(s)/mailto, images only as ``data:image/png|jpeg|gif|webp``
(the cell's own attachments, ``attachment:name``, become such), never a remote URL (it would leak that the
answer was opened). Maths is rendered on the server by matplotlib's mathtext into SVG images whose
alt text is the TeX; what mathtext cannot draw stays as readable TeX. The page's
Content-Security-Policy forbids inline script as a second line of defence.
"""
from __future__ import annotations

import base64
import html
import io
import re
from functools import lru_cache

__all__ = ["render_markdown", "render_tex"]

_TAGS = {"p", "br", "hr", "em", "strong", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li",
         "h1", "h2", "h3", "h4", "h5", "h6", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
         "del", "sub", "sup", "span", "div"}
_IMG = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+$")
_IMG_TAG = re.compile(r"<img([^>]*?)/?>")
_ALT = re.compile(r'\salt="([^"]*)"')
_MATH = re.compile(r'<(span|div) class="math">(.*?)</\1>', re.S)
_ATTACH = re.compile(r"attachment:([^\s)\"'<>]+)")


def _attrs(tag, name, value):
    if tag == "a":
        return name in ("href", "title")
    if tag == "img":
        return name in ("alt", "title") or (name == "src" and bool(_IMG.match(value)))
    if tag in ("span", "div"):
        return name == "class" and value == "math"
    if tag in ("th", "td"):
        return name == "align"
    return False


@lru_cache(maxsize=4096)
def render_tex(tex: str, display: bool = False) -> str:
    """``tex`` as an inline SVG ``<img>`` (alt: the TeX), or as readable TeX when mathtext cannot draw it."""
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    cls = "math display" if display else "math"
    try:
        if "\n" in tex.strip() or "\\begin" in tex:
            raise ValueError("multi-line TeX")
        fig = Figure()
        fig.text(0, 0, f"${tex.strip()}$", fontproperties=FontProperties(size=13 if display else 11))
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", bbox_inches="tight", pad_inches=0.02, transparent=True)
    except (ValueError, RuntimeError):
        return f'<code class="{cls} tex">{html.escape(tex)}</code>'
    data = base64.b64encode(buf.getvalue()).decode()
    return f'<img class="{cls}" alt="{html.escape(tex.strip(), quote=True)}" src="data:image/svg+xml;base64,{data}">'


def _math(m) -> str:
    body = html.unescape(m.group(2)).strip()
    display = m.group(1) == "div" or body.startswith("$$")
    for a, b in (("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"), ("$", "$")):
        if body.startswith(a) and body.endswith(b) and len(body) >= len(a) + len(b):
            body = body[len(a):len(body) - len(b)]
            break
    return render_tex(body, display)


@lru_cache(maxsize=1)
def _markdown():
    import mistune
    return mistune.create_markdown(escape=False, plugins=["strikethrough", "table", "math"])


def render_markdown(text: str, attachments: dict | None = None) -> str:
    """Safe HTML for ``text`` (a notebook markdown cell; ``attachments`` its ``attachments`` field)."""
    import bleach

    def attach(m):
        for mime, data in (attachments or {}).get(m.group(1), {}).items():
            uri = f"data:{mime};base64,{''.join(data) if isinstance(data, list) else data}".replace("\n", "")
            if _IMG.match(uri):
                return uri
        return "missing-attachment"
    raw = _markdown()(_ATTACH.sub(attach, str(text or "")))
    clean = bleach.clean(raw, tags=_TAGS, attributes=_attrs, protocols={"http", "https", "mailto", "data"},
                         strip=True)
    return _MATH.sub(_math, _IMG_TAG.sub(_image, clean))


def _image(m) -> str:
    """Every image keeps a text alternative; an image whose source was refused says so in words."""
    attrs = m.group(1)
    alt = _ALT.search(attrs)
    if "src=" not in attrs:
        what = html.escape(html.unescape(alt.group(1))) if alt and alt.group(1) else "no description"
        return f'<span class="noimg">[image not shown (not embedded in the notebook): {what}]</span>'
    if not alt or not alt.group(1).strip():
        attrs = _ALT.sub("", attrs) + ' alt="image in the answer (the student gave no description)"'
    return f"<img{attrs}>"
