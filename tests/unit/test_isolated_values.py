"""A code inside a translated sentence keeps its order in a right-to-left page (``<bdi>``), and stays escaped."""

from trustone.web.ui.templating import environment


def test_a_value_set_apart_is_isolated_and_escaped_inside_a_translated_sentence():
    template = environment("ar").from_string('{{ _("the code %(code)s", code=isolated(code)) }}')
    assert template.render(code="7KQ2-M8XD") == "the code <bdi>7KQ2-M8XD</bdi>"
    assert template.render(code="<script>") == "the code <bdi>&lt;script&gt;</bdi>"
