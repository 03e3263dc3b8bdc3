"""Reading Markdown, plain text, HTML and PDF files into titled sections."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.documents import SourceFile, discover, document_id, read_document
from knowledge.model import DocumentId, KnowledgeError
from tests.knowledge.conftest import tiny_pdf, write


def _read(path: Path, root: Path):
    return read_document(SourceFile(path=path, id=document_id(path, root)))


def test_markdown_title_is_the_first_h1_and_sections_are_heading_paths(tmp_path: Path) -> None:
    path = write(
        tmp_path / "kb/en/policy.md",
        "---\ntitle: Ignored because there is an H1\n---\n"
        "# Cancellation policy\n\nWe keep the **master's** time for you.\n\n"
        "## Late cancellation\n\n- Cancel [online](https://x.example) up to *24 hours* before.\n"
        "- Later than that:\n  - the deposit is kept;\n  - other visits are free.\n\n"
        "### With a sick note\n\nOne free transfer.\n\n"
        "| Service | Deposit |\n| --- | --- |\n| Coloring | 30% |\n\n"
        "```\nraw code line\n```\n",
    )
    document = _read(path, tmp_path)
    assert document.id == "kb/en/policy.md"
    assert document.title == "Cancellation policy"
    assert document.language == "en"
    titles = [section.title for section in document.sections]
    assert titles == ["", "Late cancellation", "Late cancellation › With a sick note"]
    intro, late, sick = document.sections
    assert intro.blocks == ("We keep the master's time for you.",)
    assert late.blocks == (
        "Cancel online up to 24 hours before.",
        "Later than that: the deposit is kept; other visits are free.",
    )
    assert sick.blocks == ("One free transfer.", "Service — Deposit", "Coloring — 30%", "raw code line")


def test_markdown_without_h1_uses_front_matter_title_then_the_file_name(tmp_path: Path) -> None:
    front = write(tmp_path / "a.md", "---\ntitle: Opening hours\n---\nMonday to Friday.\n")
    assert _read(front, tmp_path).title == "Opening hours"
    bare = write(tmp_path / "gift-certificates.md", "Underlined\n==========\n\nSome text.\n")
    assert _read(bare, tmp_path).title == "Underlined"
    nameless = write(tmp_path / "gift-cards_2027.md", "Just a paragraph.\n")
    assert _read(nameless, tmp_path).title == "Gift cards 2027"


def test_plain_text_takes_a_short_standalone_first_line_as_title(tmp_path: Path) -> None:
    path = write(
        tmp_path / "notes.txt",
        "Parking\n\nTwo free places in the courtyard.\nAsk for a pass.\n\nPaid parking nearby.",
    )
    document = _read(path, tmp_path)
    assert document.title == "Parking"
    assert document.sections[0].blocks == (
        "Two free places in the courtyard. Ask for a pass.",
        "Paid parking nearby.",
    )


def test_html_keeps_headings_and_text_and_drops_scripts_styles_and_navigation(tmp_path: Path) -> None:
    html = """<!doctype html><html><head><title>Studio — Delivery</title>
    <style>h1 { color: red }</style><script>var secret = "do not index";</script></head>
    <body><nav><a href="/">Home</a> | <a href="/shop">Shop</a></nav>
    <h1>Delivery &amp; pickup</h1><p>Orders paid before <b>14:00</b> ship today.</p>
    <h2>Courier</h2><ul><li>Inside MKAD: 390 ₽</li><li>Outside: 590 ₽</li></ul>
    <h3>Time windows</h3><table><tr><th>From</th><th>To</th></tr><tr><td>10:00</td><td>14:00</td></tr></table>
    <footer>© Studio</footer></body></html>"""
    document = _read(write(tmp_path / "delivery.html", html), tmp_path)
    assert document.title == "Delivery & pickup"
    assert [s.title for s in document.sections] == ["", "Courier", "Courier › Time windows"]
    assert document.sections[0].blocks == ("Orders paid before 14:00 ship today.",)
    assert document.sections[1].blocks == ("Inside MKAD: 390 ₽", "Outside: 590 ₽")
    assert document.sections[2].blocks == ("From — To", "10:00 — 14:00")
    text = document.text
    assert "secret" not in text and "color" not in text and "Home" not in text and "©" not in text


def test_html_without_h1_is_named_by_its_title_element(tmp_path: Path) -> None:
    html = "<html><head><title>Returns</title></head><body><p>Within 7 days.</p></body></html>"
    assert _read(write(tmp_path / "r.htm", html), tmp_path).title == "Returns"


def test_pdf_text_is_read_page_by_page_with_the_metadata_title(tmp_path: Path) -> None:
    path = tmp_path / "kb/en/price-list.pdf"
    path.parent.mkdir(parents=True)
    path.write_bytes(
        tiny_pdf(
            [["Haircut costs 3000 RUB.", "Coloring from 6500 RUB."], ["Open daily 10:00 to 21:00."]],
            "Price list",
        )
    )
    document = _read(path, tmp_path)
    assert document.title == "Price list"
    assert document.language == "en"
    assert [s.title for s in document.sections] == ["p. 1", "p. 2"]
    assert "Haircut costs 3000 RUB." in document.sections[0].blocks[0]
    assert "Coloring from 6500 RUB." in " ".join(document.sections[0].blocks)
    assert document.sections[1].blocks == ("Open daily 10:00 to 21:00.",)


def test_a_broken_pdf_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4 this is not really a pdf")
    with pytest.raises(KnowledgeError, match="broken.pdf"):
        _read(path, tmp_path)


def test_language_comes_from_the_folder_else_from_the_share_of_cyrillic(tmp_path: Path) -> None:
    russian = write(tmp_path / "docs/faq.md", "# Вопросы\n\nМы работаем с Wi-Fi и SPA каждый день.")
    english = write(
        tmp_path / "docs/hours.md",
        "# Hours\n\nWe are open daily from ten to nine, Sundays too (по-русски тоже).",
    )
    labelled = write(tmp_path / "kb/ru/mixed.md", "# Mixed\n\nMostly English text in a Russian folder.")
    assert _read(russian, tmp_path).language == "ru"
    assert _read(english, tmp_path).language == "en"
    assert _read(labelled, tmp_path).language == "ru"


def test_windows_1251_text_files_are_decoded(tmp_path: Path) -> None:
    path = tmp_path / "old.txt"
    path.write_bytes("Парковка\n\nДва бесплатных места во дворе.".encode("cp1251"))
    document = _read(path, tmp_path)
    assert document.title == "Парковка" and document.language == "ru"


def test_discovery_finds_supported_files_in_order_and_skips_hidden_and_unknown_ones(tmp_path: Path) -> None:
    for name in [
        "b.md",
        "a.txt",
        "c.html",
        "d.pdf",
        "e.docx",
        ".hidden.md",
        ".git/config.md",
        "sub/f.markdown",
    ]:
        write(tmp_path / "kb" / name, "x")
    found = [source.id for source in discover([tmp_path / "kb"], tmp_path)]
    assert found == [DocumentId(f"kb/{n}") for n in ["a.txt", "b.md", "c.html", "d.pdf", "sub/f.markdown"]]


def test_a_missing_path_or_one_outside_the_root_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="does not exist"):
        list(discover([tmp_path / "nope"], tmp_path))
    outside = write(tmp_path / "elsewhere/doc.md", "x")
    with pytest.raises(KnowledgeError, match="outside"):
        list(discover([outside], tmp_path / "kb"))
