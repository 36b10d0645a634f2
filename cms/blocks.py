"""StreamField blocks shared by every page type. Each block carries its own template."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Heading"), max_length=120)
    level = blocks.ChoiceBlock(choices=[("h2", "H2"), ("h3", "H3")], default="h2", label=_("Level"))

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"
        label = _("Heading")


class CalloutBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=120)
    text = blocks.RichTextBlock(label=_("Text"), features=["bold", "italic", "link", "ul", "ol"])

    class Meta:
        icon = "warning"
        template = "blocks/callout_block.html"
        label = _("Callout")


class FaqBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=200)
    answer = blocks.RichTextBlock(label=_("Answer"), features=["bold", "italic", "link", "ul", "ol"])

    class Meta:
        icon = "help"
        template = "blocks/faq_block.html"
        label = _("Question and answer")


class DocumentLinkBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=200)
    url = blocks.URLBlock(label=_("Address"))

    class Meta:
        icon = "doc-full"
        template = "blocks/document_link_block.html"
        label = _("Link to a document")


class BaseStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"), features=["h3", "bold", "italic", "link", "ul", "ol"], template="blocks/paragraph_block.html"
    )
    image = ImageBlock(label=_("Image"))
    callout = CalloutBlock()
    faq = FaqBlock()
    document = DocumentLinkBlock()
