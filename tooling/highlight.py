"""The source a figure shows under "Show the math", highlighted at build time.

Pygments splits the source into tokens; each becomes a <span> with Pygments' short class
name (k, nf, s2, c1, …), coloured by static/style.css in light and dark: classes only, never a
style attribute, so the page's policy holds. Each line is a <span class="line">, numbered by a
CSS counter, so the text of the <code> element is the source itself, character for character
(tests/test_live_math_build.py reads it back and compares), and copying it copies no numbers.
"""

from markupsafe import Markup, escape
from pygments import lex
from pygments.lexers import PythonLexer
from pygments.token import STANDARD_TYPES


def css_class(token_type):
    """Pygments' class for a token type, or its nearest parent's ('' for plain text)."""
    while token_type not in STANDARD_TYPES:
        token_type = token_type.parent
    return STANDARD_TYPES[token_type]


def highlighted(source):
    """`source` as HTML for a <pre><code>: one span per line holding one span per token."""
    lines, line = [], []
    for token_type, text in lex(source, PythonLexer(stripnl=False, ensurenl=False)):
        for i, part in enumerate(text.split("\n")):
            if i:  # a token that crosses a line (a docstring) is cut at each line's end
                lines.append(line)
                line = []
            if part:
                name = css_class(token_type)  # spaces ("w") need no span
                line.append(f'<span class="{name}">{escape(part)}</span>' if name not in ("", "w")
                            else escape(part))
    if line:
        lines.append(line)
    return Markup("\n".join(f'<span class="line">{"".join(spans)}</span>' for spans in lines) + "\n")
