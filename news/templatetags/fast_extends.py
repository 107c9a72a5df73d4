"""Django's ``{% extends %}``, same syntax and output, without walking the parent's
whole tree on every render; a builtin of the template engine (``TEMPLATES``'
``builtins`` in yantai/settings.py), since ``{% extends %}`` must come before any
``{% load %}``.

Django's ``ExtendsNode.render`` looks for the ``{% block %}`` nodes of a root parent
template (``base.html``) with ``get_nodes_by_type`` on every render: a walk of every
node of the parent, with a list built at each level (bench/cold_page.py: most of the
Python work of the article page's ``{% extends %}``). A compiled template does not
change, so its blocks are found once per compiled template and kept with it (weakly:
a reloaded template is a new object).
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from django import template
from django.template.base import TextNode
from django.template.loader_tags import (
    BLOCK_CONTEXT_KEY,
    BlockContext,
    BlockNode,
    do_extends,
)
from django.template.loader_tags import ExtendsNode as DjangoExtendsNode

register = template.Library()

# Compiled template → its {% block %} nodes by name if it is a root (extends nothing),
# else None.
_root_blocks: WeakKeyDictionary = WeakKeyDictionary()


def root_blocks(compiled) -> dict | None:
    """The ``{% block %}`` nodes of ``compiled`` by name when it extends nothing
    (what Django's ``ExtendsNode.render`` adds to the block context), else None."""
    try:
        return _root_blocks[compiled]
    except KeyError:
        pass
    blocks = None
    for node in compiled.nodelist:
        # The ExtendsNode has to be the first non-text node.
        if not isinstance(node, TextNode):
            if not isinstance(node, DjangoExtendsNode):
                blocks = {
                    n.name: n for n in compiled.nodelist.get_nodes_by_type(BlockNode)
                }
            break
    _root_blocks[compiled] = blocks
    return blocks


class ExtendsNode(DjangoExtendsNode):
    def render(self, context):
        # Django's ExtendsNode.render, the root's blocks from root_blocks().
        compiled_parent = self.get_parent(context)
        block_context = context.render_context.get(BLOCK_CONTEXT_KEY)
        if block_context is None:
            block_context = context.render_context[BLOCK_CONTEXT_KEY] = BlockContext()
        block_context.add_blocks(self.blocks)
        blocks = root_blocks(compiled_parent)
        if blocks is not None:
            block_context.add_blocks(blocks)
        with context.render_context.push_state(compiled_parent, isolated_context=False):
            return compiled_parent._render(context)


@register.tag("extends")
def extends(parser, token):
    """Django's ``{% extends %}``; see the module's docstring."""
    node = do_extends(parser, token)
    return ExtendsNode(node.nodelist, node.parent_name, node.template_dirs)
