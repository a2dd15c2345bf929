#!/usr/bin/env python3
"""Rewrites every ```csharp block that follows <!-- snippet: NAME --> in README.md and docs/ with the
region `// <snippet:NAME>` ... `// </snippet:NAME>` of examples/. DocumentationSnippetTests checks the result."""
import pathlib, re, textwrap

root = pathlib.Path(__file__).resolve().parent.parent
regions = {}
for path in (root / "examples").rglob("*.cs"):
    if "/obj/" in str(path) or "/bin/" in str(path):
        continue
    for m in re.finditer(r"// <snippet:([a-z-]+)>\r?\n(.*?)\r?\n[ \t]*// </snippet:\1>", path.read_text(), re.S):
        regions[m.group(1)] = textwrap.dedent(m.group(2).strip("\n")).rstrip()

for path in [root / "README.md", *(root / "docs").rglob("*.md")]:
    text = path.read_text()
    new = re.sub(r"(<!-- snippet: ([a-z-]+) -->\n```csharp\n)(.*?)(\n```)", lambda m: m.group(1) + regions[m.group(2)] + m.group(4), text, flags=re.S)
    if new != text:
        path.write_text(new)
        print("updated", path.relative_to(root))
