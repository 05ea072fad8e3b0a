"""Sphinx extension: each page loads every inline script once, and the
book's own style sheet (``static/cells.css``).

sphinx-thebe and sphinx-togglebutton register inline scripts
(``app.add_js_file(None, body=...)``) after the HTML builder has collected
its scripts; Sphinx 7.4 then lists them twice, once with the file name
``None`` and once with ``''``, so two ``<script>const THEBE_JS_URL = ...``
tags reach every page and the second throws ``SyntaxError: Identifier
'THEBE_JS_URL' has already been declared``. This drops the repeats.
"""

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


def setup(app):
    app.connect("html-page-context", drop_repeated_scripts)
    app.connect("config-inited", add_static)
    app.add_css_file("cells.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
