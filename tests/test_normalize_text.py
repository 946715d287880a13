import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobspiders.normalize.text import clean_text, html_to_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Backend&nbsp;Engineer &amp; SRE ", "Backend Engineer & SRE"),
        ("Senior\tBackend\n\nDeveloper", "Senior Backend Developer"),
        ("Back\u200bend\u200d Engineer\ufeff", "Backend Engineer"),
        ("Backend \ud800Engineer\udfff", "Backend Engineer"),  # lone surrogates from JSON escapes
        ("Entwickler:in &#40;m/w/d&#41;", "Entwickler:in (m/w/d)"),
        ("R&amp;amp;D Engineer", "R&D Engineer"),  # escaped twice by the board
        ("Développeur\u00a0Back-End\x00", "Développeur Back-End"),
        ("Desarrollador &quot;Backend&quot; – Remoto", 'Desarrollador "Backend" – Remoto'),
        ("", ""),
        (None, ""),
        ("   ", ""),
    ],
)
def test_clean_text(value, expected):
    assert clean_text(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Greenhouse: entity-escaped HTML, unescaped once, so an escaped "&amp;" stays one "&".
        ("&lt;p&gt;Hi &amp;amp; bye&lt;/p&gt;", "Hi & bye"),
        (
            "&lt;div class=&quot;content-intro&quot;&gt;&lt;p&gt;Wir suchen&lt;/p&gt;"
            "&lt;ul&gt;&lt;li&gt;Go&lt;/li&gt;&lt;li&gt;SQL&lt;/li&gt;&lt;/ul&gt;&lt;/div&gt;",
            "Wir suchen\n\nGo\nSQL",
        ),
        ("<p>Line one<br>Line two</p><p>Para  two</p>", "Line one\nLine two\n\nPara two"),
        ("<ul><li>Python</li><li>Django</li></ul>", "Python\nDjango"),
        ("<p>a</p><p></p><p></p><p></p><p>b</p>", "a\n\nb"),
        ("Plain text\r\n\r\n\r\n\r\nwith gaps &amp; entities", "Plain text\n\nwith gaps & entities"),
        ("a < b and c > d", "a < b and c > d"),
        ("<script>alert(1)</script><p>Olá, Mundo</p>", "Olá, Mundo"),
        ("   ", ""),
        (None, ""),
    ],
)
def test_html_to_text(value, expected):
    assert html_to_text(value) == expected


@settings(deadline=None)
@given(st.text())
def test_random_text_never_raises(value):
    assert isinstance(clean_text(value), str)
    assert isinstance(html_to_text(value), str)
    assert "\u200b" not in clean_text(value)
