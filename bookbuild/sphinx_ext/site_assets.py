"""Sphinx extension: each page loads every inline script once, the
book's own style sheet (``static/cells.css``), and a Colab button that
opens the chapter's Colab edition (the ``colab`` branch, written by
``python -m bookbuild colab``) instead of its MyST source.

sphinx-thebe and sphinx-togglebutton register inline scripts
(``app.add_js_file(None, body=...)``) after the HTML builder has collected
its scripts; Sphinx 7.4 then lists them twice, once with the file name
``None`` and once with ``''``, so two ``<script>const THEBE_JS_URL = ...``
tags reach every page and the second throws ``SyntaxError: Identifier
'THEBE_JS_URL' has already been declared``. This drops the repeats.
"""

import re
from pathlib import Path

STATIC = Path(__file__).parent / "static"


def add_static(app, config):
    """Serve ``static/`` (the book's style sheet) with the site."""
    config.html_static_path.append(str(STATIC))


def _key(script):
    attributes = sorted((k, str(v)) for k, v in script.attributes.items())
    return (script.filename or "", tuple(attributes))


def drop_repeated_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        key = _key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


COLAB = re.compile(
    r"^(https://colab\.research\.google\.com/github/[^/]+/[^/]+/blob/)[^/]+/"
)
COLAB_BRANCH = "colab"


def _to_editions(node):
    """``node`` (the theme's button dicts and lists) with every Colab
    address pointing at :data:`COLAB_BRANCH`."""
    if isinstance(node, dict):
        return {k: _to_editions(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_to_editions(v) for v in node]
    if isinstance(node, str):
        return COLAB.sub(rf"\g<1>{COLAB_BRANCH}/", node)
    return node


def colab_editions(app, pagename, templatename, context, doctree):
    """Point the page's Colab button at the chapter's edition; runs after
    sphinx-book-theme has added its launch buttons."""
    if "header_buttons" in context:
        context["header_buttons"] = _to_editions(context["header_buttons"])


def setup(app):
    app.connect("html-page-context", drop_repeated_scripts)
    app.connect("html-page-context", colab_editions, priority=900)
    app.connect("config-inited", add_static)
    app.add_css_file("cells.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
