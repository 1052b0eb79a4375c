"""The pages: the one Jinja Environment, each demo pre-rendered, our static files hashed.

Every figure is drawn at build time by the demo's own render(), run under CPython from
src/ (the code the wheel carries), so the page reads fine before any script runs. Static
files are copied under content-hashed names; our ES modules find each other through the
page's import map, which also gives the browser each module's integrity.
"""

import itertools
import json
import re
import traceback
from pathlib import Path
from types import SimpleNamespace

from tooling import ROOT, SRC
from tooling.fetch import BuildError, integrity, short_hash
from tooling.highlight import highlighted

TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"
# What Python may build in the page, read by checked_items and checked_svg here and, through
# the page config's "allow", by the page's JavaScript: {"tags": [element names], "attributes":
# a pattern each attribute name must match whole} for items slots, and the same for SVG
# drawings under "svg", with "values": {attribute: a pattern its value must match whole}.
DOM_ALLOW = "dom-allow.json"


def dom_allow():
    return json.loads((STATIC / DOM_ALLOW).read_text())


def checked_items(demo, slot, items, allow=None):
    allow = allow or dom_allow()
    attribute = re.compile(allow["attributes"])
    for item in items:
        bad = [a for a in item.get("attrs", {}) if not attribute.fullmatch(a)]
        if item["tag"] not in allow["tags"] or bad:
            raise BuildError(f"demo {demo}, items slot {slot}: tag {item['tag']!r} or "
                             f"attributes {bad} not allowed")
    return items


# SVG markup as the page reads it (static/demo.js, svgFrom): elements, attributes in double
# quotes, text; nothing else.
SVG_TOKEN = re.compile(r'</([a-zA-Z]+)\s*>|<([a-zA-Z]+)((?:\s+[a-zA-Z][a-zA-Z0-9-]*="[^"<>]*")*)\s*(/?)>|([^<]+)')
SVG_ATTRIBUTE = re.compile(r'([a-zA-Z][a-zA-Z0-9-]*)="([^"]*)"')


def checked_svg(demo, slot, markup, allow=None):
    """`markup`, if the page would show it: read as the page reads it, every element one of
    the list's, every attribute one of its, with a value matching its pattern where the list
    has one (entities are left as they are: only the PNGs' data URLs are checked, which hold
    none)."""
    rules = (allow or dom_allow())["svg"]
    attribute = re.compile(rules["attributes"])
    values = {name: re.compile(pattern) for name, pattern in rules["values"].items()}
    at = 0
    while at < len(markup):
        token = SVG_TOKEN.match(markup, at)
        if not token:
            raise BuildError(f"demo {demo}, svg slot {slot}: the page cannot read {markup[at:at + 40]!r}")
        at, tag, attrs = token.end(), token[2], token[3] or ""
        bad = [name for name, value in SVG_ATTRIBUTE.findall(attrs)
               if not (name == "xmlns" or attribute.fullmatch(name))
               or (name in values and not values[name].fullmatch(value))]
        if tag and (tag not in rules["tags"] or bad):
            raise BuildError(f"demo {demo}, svg slot {slot}: tag {tag!r} or attributes {bad} "
                             f"not allowed (static/{DOM_ALLOW})")
    return markup


# Served from the site's root under its own name, written by the build (tooling/site.py): a
# service worker's scope is the folder of its URL, and its URL must stay the same.
SERVICE_WORKER = "sw.js"


def hashed_assets(site, made=None):
    """Every file in static/, and the files the build `made` ({name: bytes}: the code
    editor), copied to site/assets/<stem>.<hash>.<ext>: name -> (url, integrity)."""
    files = {path.name: path.read_bytes() for path in sorted(STATIC.iterdir())
             if path.is_file() and path.name != SERVICE_WORKER}
    assets = {}
    for filename, data in sorted({**files, **(made or {})}.items()):
        stem, _, suffix = filename.rpartition(".")
        name = f"{stem}.{short_hash(data)}.{suffix}"
        (site / "assets" / name).write_bytes(data)
        assets[filename] = (f"assets/{name}", integrity(data))
    return assets


def import_map(assets):
    """The page's import map, as the exact text the page holds (the policy names its hash).

    Our modules import each other by plain relative names (`import … from "./demo.js"`), which
    resolve to ./assets/demo.js; the map sends each to its hashed URL and gives the browser
    the integrity to check it against (Chrome ≥ 127), as the <script> tag does for runtime.js.
    """
    scripts = {name: asset for name, asset in assets.items() if name.endswith(".js")}
    text = json.dumps({"imports": {f"./assets/{name}": f"./{url}" for name, (url, _) in scripts.items()},
                       "integrity": {f"./{url}": sri for url, sri in scripts.values()}},
                      indent=None, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c")  # never "</script>" inside the script element


def render_pages(site, assets, config, csp, imports):
    """Every page into `site`: index, credits and one per essay. Returns {out: template}."""
    from jinja2 import (
        Environment,
        FileSystemLoader,
        StrictUndefined,
        TemplateError,
        select_autoescape,
    )
    from markupsafe import Markup

    import llmexplain
    from llmexplain import live_math
    from llmexplain.demos import DEMOS

    if SRC not in Path(llmexplain.__file__).resolve().parents:
        raise BuildError(f"llmexplain is imported from {Path(llmexplain.__file__).parent}, not "
                         f"from {SRC}; run ./dev setup (pip install -e .)")
    allow = config["allow"]
    counter = None  # numbers the demos of the page being rendered: weights-1, weights-2, ...

    def prerender(name, params):
        """A demo's starting state, drawn by its own render(), for the template to place."""
        if name not in DEMOS:
            raise BuildError(f"no demo named {name!r} (known: {', '.join(sorted(DEMOS))})", name)
        demo = DEMOS[name](**params)
        if demo.notes:  # an author's mistake: a page never ships a figure with a fallback
            raise BuildError(f"demo {name!r}: {' '.join(demo.notes)}", name)
        shown = demo.render()
        return SimpleNamespace(
            id=f"{name}-{next(counter)}", controls=demo.controls, params=json.dumps(params),
            worker=demo.worker, publishes=" ".join(demo.publishes),
            listens=" ".join(demo.listens),
            text=shown.get("text", {}), values=shown.get("values", {}),
            images=shown.get("images", {}), attrs=shown.get("attrs", {}),
            items={k: checked_items(name, k, v, allow) for k, v in shown.get("items", {}).items()},
            svg={k: Markup(checked_svg(name, k, v, allow)) for k, v in shown.get("svg", {}).items()},
            shows=[SimpleNamespace(name=live_math.name_of(fn),
                                   html=highlighted(live_math.source(fn))) for fn in demo.shows],
            experiments=[SimpleNamespace(label=e.label, fn=live_math.name_of(e.fn), code=e.code(),
                                         notice=e.notice) for e in demo.experiments])

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(asset=lambda name: assets[name][0], integrity=lambda name: assets[name][1],
                       csp=csp, import_map=Markup(imports), prerender=prerender,
                       runtime_config=config)
    essays = sorted(p.stem for p in (TEMPLATES / "essays").glob("*.html"))
    pages = {"index.html": "index.html", "credits.html": "credits.html",
             **{f"{slug}.html": f"essays/{slug}.html" for slug in essays}}
    template = None
    try:
        meta = {}
        for slug in essays:
            template, counter = f"essays/{slug}.html", itertools.count(1)
            meta[slug] = env.get_template(template).module.meta
        for out, template in pages.items():
            counter = itertools.count(1)
            html = env.get_template(template).render(page=out, essays=meta)
            (site / out).write_text(html)
    except TemplateError as e:  # a syntax error knows its line; others pass through a frame
        where = (f"{shown_path(Path(e.filename)) if e.filename else template}:{e.lineno}"
                 if getattr(e, "lineno", None) else template_line(e, template))
        raise BuildError(f"{where}: {e.message}") from None
    except BuildError as e:
        raise BuildError(f"{template_line(e, template)}: {e}") from None
    return pages


def shown_path(path):
    """A path as the person running the build knows it: from the checkout if it is inside."""
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def template_line(error, fallback):
    """templates/…html:line where an error arose (Jinja maps its compiled frames back to
    template lines): the innermost page or essay, not the _partial whose macro it called."""
    frames = [(Path(f.filename), f.lineno) for f in traceback.extract_tb(error.__traceback__)]
    frames = [(path, line) for path, line in frames
              if path.suffix == ".html" and TEMPLATES in path.parents]
    pages = [f for f in frames if not f[0].name.startswith("_")]
    for path, line in reversed(pages or frames):
        # Jinja gives an expression's line as the end of the text around it: for a demo,
        # step back to the line that calls it.
        if demo := getattr(error, "demo", None):
            lines = path.read_text().splitlines()[:line]
            line = next((i + 1 for i in reversed(range(len(lines)))
                         if re.search(rf"""demo\(\s*["']{re.escape(demo)}["']""", lines[i])), line)
        return f"{shown_path(path)}:{line}"
    return fallback
