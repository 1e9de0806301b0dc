"""The generation model as a hand-written SVG: layers as rows, edges labelled with support.

No diagram library and no script: plain SVG the browser (and Typst) draws, with text as text.
Layers run top to bottom in model.yaml order, each in a tinted band with its name at the left.
Edges inside a layer (category -> main category) split it into sub-rows, so every edge points
down. Edges between adjacent rows are straight; longer edges run down a lane beside the nodes
and never cross a box. An edge supported by fewer documents than the weak-edge threshold is
dashed (never hidden).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from gtflow.report.escape import escape_xml

NODE_WIDTH = 180
LINE_HEIGHT = 15
NODE_GAP = 56          # horizontal gap between nodes of one row
ROW_GAP = 92           # vertical gap between rows (edge labels live here)
LANE_GAP = 22          # distance between the side lanes of long edges
LANE_SPACE = 170       # room beside the nodes for lanes and their labels
LABEL_COLUMN = 120     # left column with the layer names
MARGIN = 24
FONT = ("'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'Microsoft YaHei', "
        "'PingFang SC', sans-serif")
LAYER_FILL = ["#e8f1fa", "#fdf0e2", "#eaf5ea", "#f7e6e6", "#efe9f6", "#f2f2f2"]


def text_width(text: str, size: float = 12) -> float:
    """Approximate drawn width: wide (CJK) characters 1 em, others ~0.56 em."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.56 for c in text)


def is_wide(char: str) -> bool:
    """A CJK (wide) character: lines break between them without a space."""
    return unicodedata.east_asian_width(char) in "WF"


def wrap(text: str, width: float, size: float = 12) -> list[str]:
    """Break a label into lines no wider than ``width``: at spaces, and between CJK characters
    (a word too wide for a line is broken per character)."""
    tokens: list[tuple[str, bool]] = []  # (piece, written after a space in the source)
    for word in text.split(" "):
        if text_width(word, size) <= width:
            tokens.append((word, True))
        else:
            tokens.extend((char, index == 0) for index, char in enumerate(word))
    lines: list[str] = []
    current = ""
    for token, spaced in tokens:
        candidate = f"{current}{' ' if current and spaced else ''}{token}"
        if text_width(candidate, size) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = token
    if current:
        lines.append(current)
    return lines


@dataclass
class Box:
    """A placed node."""

    x: float
    y: float
    width: float
    height: float
    lines: list[str]

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + self.width / 2, self.y + self.height / 2


def node_label(node: dict, language: str) -> str:
    """'AA4 Pressure mechanism' in the report language (falls back to the codebook label)."""
    label = node.get("label_en") if language == "en" and node.get("label_en") else node["label"]
    return f"{node['id']} {label}"


def node_rows(model: dict) -> list[tuple[str, list[str]]]:
    """Rows top to bottom as (layer id, node ids): each layer in model order, split into
    sub-rows when edges run inside the layer (a node sits below the nodes that point to it)."""
    rows = []
    for layer in model["layers"]:
        members = [n["id"] for n in model["nodes"] if n["layer"] == layer["id"]]
        inner = [(e["from"], e["to"]) for e in model["edges"]
                 if e["from"] in members and e["to"] in members]
        rank = {node: 0 for node in members}
        for _ in members:  # longest path; a cycle simply stops growing after len(members) passes
            for source, target in inner:
                rank[target] = max(rank[target], min(rank[source] + 1, len(members) - 1))
        for level in range(max(rank.values(), default=-1) + 1):
            rows.append((layer["id"], [n for n in members if rank[n] == level]))
    return rows


def order_rows(rows: list[tuple[str, list[str]]], edges: list[dict]) -> list[list[str]]:
    """Order each row by the mean position of its nodes' predecessors (fewer crossings)."""
    position: dict[str, float] = {}
    ordered = []
    for _, members in rows:
        weights = []
        for index, node in enumerate(members):
            above = [position[e["from"]] for e in edges if e["to"] == node and e["from"] in position]
            weights.append(sum(above) / len(above) if above else index / max(1, len(members) - 1))
        row = [n for _, n in sorted(zip(weights, members))]
        for index, node in enumerate(row):
            position[node] = index / max(1, len(row) - 1) if len(row) > 1 else 0.5
        ordered.append(row)
    return ordered


def place_nodes(model: dict, language: str) -> tuple[dict[str, Box], list[tuple[str, float, float]],
                                                      float, float]:
    """Boxes per node id, the layer bands (layer id, top, bottom), drawing width and height."""
    rows = node_rows(model)
    ordered = order_rows(rows, model["edges"])
    nodes = {n["id"]: n for n in model["nodes"]}
    widest = max((len(r) for r in ordered), default=1)
    inner_width = widest * NODE_WIDTH + (widest - 1) * NODE_GAP
    left = MARGIN + LABEL_COLUMN + LANE_SPACE
    boxes: dict[str, Box] = {}
    bands: list[tuple[str, float, float]] = []
    y = MARGIN
    for (layer, _), row in zip(rows, ordered):
        sized = []
        for node_id in row:
            lines = wrap(node_label(nodes[node_id], language), NODE_WIDTH - 16)
            evidence = nodes[node_id].get("documents")
            lines.append(f"n = {evidence}" if evidence is not None else "n = ?")
            sized.append((node_id, lines, len(lines) * LINE_HEIGHT + 14))
        height = max((h for _, _, h in sized), default=0)
        row_width = len(row) * NODE_WIDTH + (len(row) - 1) * NODE_GAP
        x = left + (inner_width - row_width) / 2
        for node_id, lines, box_height in sized:
            boxes[node_id] = Box(x, y + (height - box_height) / 2, NODE_WIDTH, box_height, lines)
            x += NODE_WIDTH + NODE_GAP
        if bands and bands[-1][0] == layer:
            bands[-1] = (layer, bands[-1][1], y + height)
        else:
            bands.append((layer, y, y + height))
        y += height + ROW_GAP
    width = left + inner_width + LANE_SPACE + MARGIN
    return boxes, bands, width, y - ROW_GAP + MARGIN + 40


def edge_label(edge: dict, language: str) -> str:
    """'relation (n = 12)' in the report language."""
    relation = edge.get("relation_en") if language == "en" and edge.get("relation_en") \
        else edge.get("relation", "")
    support = edge.get("documents")
    # Why the no-break spaces: "(n = 18)" must not be wrapped across lines.
    return f"{relation} (n\u00a0=\u00a0{support if support is not None else '?'})"


def label_size(text: str) -> tuple[list[str], float, float]:
    """Wrapped lines, width and height of an edge label."""
    lines = wrap(text, 130, 10.5)
    return lines, max(text_width(line, 10.5) for line in lines) + 8, len(lines) * 13 + 4


def overlaps(box: tuple[float, float, float, float], placed: list) -> bool:
    """Whether a (left, top, right, bottom) box overlaps any placed box (2 px apart)."""
    return any(box[0] < p[2] + 2 and p[0] < box[2] + 2 and box[1] < p[3] + 2 and p[1] < box[3] + 2
               for p in placed)


def free_spot(candidates: list[tuple[float, float]], text: str,
              placed: list) -> tuple[float, float]:
    """The first label centre among ``candidates`` whose box hits no placed label or node."""
    _, width, height = label_size(text)
    for x, y in candidates:
        box = (x - width / 2, y - height / 2, x + width / 2, y + height / 2)
        if not overlaps(box, placed):
            placed.append(box)
            return x, y
    x, y = candidates[0]
    placed.append((x - width / 2, y - height / 2, x + width / 2, y + height / 2))
    return x, y


def label_svg(x: float, y: float, text: str, anchor: str = "middle") -> str:
    """An edge label on a white backing so crossing lines do not hide it."""
    lines, width, height = label_size(text)
    left = {"middle": x - width / 2, "start": x, "end": x - width}[anchor]
    centre = left + width / 2
    parts = [(f'<rect x="{left:.1f}" y="{y - height / 2:.1f}" width="{width:.1f}" '
              f'height="{height}" rx="3" fill="white" fill-opacity="0.92"/>')]
    for index, line in enumerate(lines):
        ty = y - height / 2 + 13 * (index + 1) - 1
        parts.append(f'<text x="{centre:.1f}" y="{ty:.1f}" text-anchor="middle" '
                     f'font-size="10.5" fill="#333">{escape_xml(line)}</text>')
    return "".join(parts)


def row_index(boxes: dict[str, Box]) -> dict[str, int]:
    """Row number of every node (rows are the distinct box tops, top to bottom)."""
    centres = sorted({round(b.centre[1]) for b in boxes.values()})
    return {k: centres.index(round(b.centre[1])) for k, b in boxes.items()}


def edge_path(edge: dict, boxes: dict[str, Box], rows: dict[str, int], lane: dict,
              width: float) -> tuple[str, list[tuple[float, float]]]:
    """SVG path of one edge and where its label goes.

    Adjacent rows: a straight line. Longer edges: down a side lane (left or right of the
    nodes) so they never cross a box. Edges pointing up or sideways bend around the side too.
    """
    source, target = boxes[edge["from"]], boxes[edge["to"]]
    span = rows[edge["to"]] - rows[edge["from"]]
    if span == 1:
        x1, y1 = source.centre[0], source.y + source.height
        x2, y2 = target.centre[0], target.y
        # Labels nearer the source first, so edges converging on one node keep apart.
        spots = [(x1 + (x2 - x1) * t, y1 + (y2 - y1) * t) for t in (0.42, 0.3, 0.55, 0.2, 0.66)]
        return f"M{x1:.1f},{y1:.1f} L{x2:.1f},{y2:.1f}", spots
    right = (source.centre[0] + target.centre[0]) / 2 > width / 2
    side = "right" if right else "left"
    index = lane[side]
    lane[side] = index + 1
    nodes_left = min(b.x for b in boxes.values())
    nodes_right = max(b.x + b.width for b in boxes.values())
    lane_x = nodes_right + LANE_SPACE / 2 + LANE_GAP * index if right \
        else nodes_left - LANE_SPACE / 2 - LANE_GAP * index
    # Leave and enter through the gaps between rows, so no segment crosses a box.
    exit_y = source.y + source.height + 14 + 8 * index
    entry_y = target.y - 14 - 8 * index
    x1, x2 = source.centre[0] + (12 if right else -12), target.centre[0] + (12 if right else -12)
    path = (f"M{x1:.1f},{source.y + source.height:.1f} L{x1:.1f},{exit_y:.1f} "
            f"L{lane_x:.1f},{exit_y:.1f} L{lane_x:.1f},{entry_y:.1f} L{x2:.1f},{entry_y:.1f} "
            f"L{x2:.1f},{target.y:.1f}")
    middle = (exit_y + entry_y) / 2
    steps = int((entry_y - exit_y) / 2 // 16)
    spots = [(lane_x, middle + sign * 16 * k) for k in range(steps) for sign in (1, -1)]
    return path, spots or [(lane_x, middle)]


def edge_svg(edge: dict, boxes: dict[str, Box], rows: dict[str, int], lane: dict,
             width: float, language: str, placed: list) -> str:
    """One arrow with its label; dashed when weakly supported."""
    dash = ' stroke-dasharray="6 4"' if edge.get("weak") else ""
    colour = "#999" if edge.get("weak") else "#555"
    text = edge_label(edge, language)
    title = f"<title>{escape_xml(edge['from'] + ' → ' + edge['to'] + ': ' + text)}</title>"
    path, spots = edge_path(edge, boxes, rows, lane, width)
    lx, ly = free_spot(spots, text, placed)
    return (f'<g class="edge{" weak" if edge.get("weak") else ""}">{title}'
            f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="1.4"{dash} '
            f'marker-end="url(#arrow)"/>{label_svg(lx, ly, text)}</g>')


def node_svg(node: dict, box: Box, fill: str) -> str:
    """One node: a rounded box, its wrapped label and its document count."""
    parts = [f'<g class="node" id="node-{escape_xml(node["id"])}">',
             (f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.width}" height="{box.height}" '
              f'rx="6" fill="{fill}" stroke="#4a4a4a" stroke-width="1.2"/>')]
    for index, line in enumerate(box.lines):
        last = index == len(box.lines) - 1
        y = box.y + 7 + LINE_HEIGHT * (index + 1) - 3
        style = ' font-size="11" fill="#555"' if last else ' font-size="12" font-weight="600"'
        parts.append(f'<text x="{box.centre[0]:.1f}" y="{y:.1f}" text-anchor="middle"{style}>'
                     f'{escape_xml(line)}</text>')
    parts.append("</g>")
    return "".join(parts)


def model_svg(model: dict, language: str, labels: dict) -> str:
    """The whole model diagram as an SVG document (no XML declaration: it is inlined)."""
    boxes, bands, width, height = place_nodes(model, language)
    fills = {layer["id"]: LAYER_FILL[i % len(LAYER_FILL)] for i, layer in enumerate(model["layers"])}
    names = {layer["id"]: (layer.get("label_en") if language == "en" and layer.get("label_en")
                           else layer.get("label", layer["id"])) for layer in model["layers"]}
    title = escape_xml(labels["fig_model_title"])
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
              f'width="{width:.0f}" height="{height:.0f}" font-family="{FONT}" role="img" '
              f'aria-label="{title}">'), f"<title>{title}</title>",
             ('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
              'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
              'fill="#555"/></marker></defs>')]
    for layer, top, bottom in bands:  # a tinted band and the layer's name per layer
        parts.append(f'<rect x="{MARGIN / 2:.1f}" y="{top - 10:.1f}" width="{width - MARGIN:.1f}" '
                     f'height="{bottom - top + 20:.1f}" rx="8" fill="{fills[layer]}" '
                     f'fill-opacity="0.45"/>')
        for index, line in enumerate(wrap(names[layer], LABEL_COLUMN - 16, 13)):
            parts.append(f'<text x="{MARGIN}" y="{(top + bottom) / 2 + 5 + 16 * index:.1f}" '
                         f'font-size="13" font-weight="700" fill="#222">{escape_xml(line)}</text>')
    rows = row_index(boxes)
    lane = {"left": 0, "right": 0}
    drawn = [e for e in model["edges"] if e["from"] in boxes and e["to"] in boxes]
    # Short edges first, so the lanes of long edges are numbered from the nodes outward.
    drawn.sort(key=lambda e: (rows[e["to"]] - rows[e["from"]], rows[e["from"]]))
    placed = [(b.x, b.y, b.x + b.width, b.y + b.height) for b in boxes.values()]
    parts.extend(edge_svg(edge, boxes, rows, lane, width, language, placed) for edge in drawn)
    parts.extend(node_svg(node, boxes[node["id"]], fills[node["layer"]])
                 for node in model["nodes"])
    legend_y = height - 14
    parts.append(f'<line x1="{MARGIN}" y1="{legend_y - 4}" x2="{MARGIN + 40}" y2="{legend_y - 4}" '
                 'stroke="#555" stroke-width="1.4"/>'
                 f'<text x="{MARGIN + 48}" y="{legend_y}" font-size="11" fill="#333">'
                 f'{escape_xml(labels["fig_model_legend_solid"])}</text>'
                 f'<line x1="{width / 2}" y1="{legend_y - 4}" x2="{width / 2 + 40}" '
                 f'y2="{legend_y - 4}" stroke="#999" stroke-width="1.4" stroke-dasharray="6 4"/>'
                 f'<text x="{width / 2 + 48}" y="{legend_y}" font-size="11" fill="#333">'
                 f'{escape_xml(labels["fig_model_legend_weak"].format(k=model["weak_threshold"]))}'
                 "</text>")
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
