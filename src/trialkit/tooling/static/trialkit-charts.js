/* The book's charts: each is a <div class="trialkit-chart"> holding its initial state as a pre-rendered
   SVG image (drawn at build time, visible at once), followed by its Vega-Lite spec as JSON.

   This classic script (it also runs on pages opened from disk, file://, where Chromium refuses module
   scripts) loads the self-hosted Vega bundle (vega-bundle.js, generated at build time) when the first
   chart comes near the viewport, and replaces each image by the interactive chart only when that chart
   is near the viewport. Before drawing, the spec is fitted to the width of its column: single views
   fill it, side-by-side panels share it and are stacked below a breakpoint, long titles wrap. When a
   figure with controls is taller than most of the screen, its controls move above it and the figure is
   fitted to the window's height (plots a little shorter, the control panel scrolling in its own box if
   need be), so that controls and chart are in view together and nothing ever covers the chart. */
(function () {
  "use strict";
  var STACK_BELOW = 600;      // px of column width under which side-by-side panels are stacked
  var NEAR = "400px 0px";     // how close to the viewport a chart must be before it is drawn
  var me = document.currentScript;
  var bundleUrl = me ? me.src.replace(/trialkit-charts\.js(\?.*)?$/, "vega-bundle.js") : "_static/vega-bundle.js";
  var bundlePromise = null;
  var compact = false;        // set for a second fitting pass when the first left text past the edge

  function loadBundle() {
    if (window.vegaEmbed) { return Promise.resolve(); }
    if (!bundlePromise) {
      bundlePromise = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = bundleUrl;
        s.onload = function () { resolve(); };
        s.onerror = function () { reject(new Error("could not load " + bundleUrl)); };
        document.head.appendChild(s);
      });
    }
    return bundlePromise;
  }

  function clone(x) { return JSON.parse(JSON.stringify(x)); }

  function isLeaf(s) { return s && (s.mark !== undefined || s.layer !== undefined); }

  function numericWidth(s) { return typeof s.width === "number" ? s.width : (s.width === undefined || s.width === "container" ? 520 : null); }

  // Wrap a title string into lines of at most `chars` characters (Vega draws titles on one line).
  function wrap(text, chars) {
    if (Array.isArray(text)) {
      return [].concat.apply([], text.map(function (t) { return wrap(t, chars); }));
    }
    if (typeof text !== "string" || text.length <= chars) { return text; }
    var words = text.split(/\s+/), lines = [], line = "";
    words.forEach(function (w) {
      if (line && (line + " " + w).length > chars) { lines.push(line); line = w; } else { line = line ? line + " " + w : w; }
    });
    if (line) { lines.push(line); }
    return lines;
  }

  // Long axis titles wrap too (Vega-Lite draws an array of lines), so that they never stick out.
  function fitAxisTitles(s, width) {
    var enc = s.encoding || {};
    ["x"].forEach(function (ch) {  // (a rotated y title of several lines is cut by Vega's layout)
      var c = enc[ch];
      if (!c) { return; }
      var room = ch === "x" ? (compact ? width * 0.45 : width < STACK_BELOW ? width * 0.6 : width - 80) : 260;
      if (typeof c.title === "string") { c.title = wrap(c.title, Math.max(16, Math.floor(room / 8.2))); }
      if (c.axis && typeof c.axis.title === "string") { c.axis.title = wrap(c.axis.title, Math.max(16, Math.floor(room / 8.2))); }
    });
    (s.layer || []).forEach(function (l) { fitAxisTitles(l, width); });
  }

  function fitTitle(s, width) {
    if (isLeaf(s)) { fitAxisTitles(s, width); }
    if (!s.title) { return; }
    var t = typeof s.title === "string" ? { text: s.title } : s.title;
    var size = t.fontSize || 15, subSize = t.subtitleFontSize || 12;
    t.text = wrap(t.text, Math.max(16, Math.floor(width / (size * 0.66))));
    if (t.subtitle) { t.subtitle = wrap(t.subtitle, Math.max(20, Math.floor(width / (subSize * 0.6)))); }
    s.title = t;
  }

  // On a narrow column a line of text placed at a fixed position (a read-out panel: x given as a value)
  // may not run past its view: it is cut with an ellipsis (the full text stays in the tooltip, the
  // figure's description and the page).
  function textMarks(s, out) {
    var m = s.mark;
    if (m === "text" || (m && m.type === "text")) { out.push(s); }
    (s.layer || []).forEach(function (l) { textMarks(l, out); });
    return out;
  }
  // The fixed x position of a text mark (encoding value or mark property), or null when a scale places it.
  function fixedX(t) {
    var x = (t.encoding || {}).x;
    if (x && typeof x.value === "number") { return { at: x.value, set: function (v) { x.value = v; } }; }
    if (!x && typeof t.mark.x === "number") { return { at: t.mark.x, set: function (v) { t.mark.x = v; } }; }
    if (!x) { return { at: null, set: function () {} }; }
    return null;
  }
  // `from`: the width the leaf was drawn for by its author; fixed positions are scaled to the new width,
  // and a read-out table (text in three or more columns) gets a smaller font.
  function limitTexts(s, width, from) {
    var marks = textMarks(s, []);
    marks.forEach(function (t) { if (typeof t.mark === "string") { t.mark = { type: t.mark }; } });
    var placed = marks.map(function (t) { return { t: t, pos: fixedX(t) }; }).filter(function (p) { return p.pos; });
    var ratio = from && from > width ? width / from : 1;
    placed.forEach(function (p) { if (p.pos.at !== null && ratio < 1) { p.pos.at = Math.round(p.pos.at * ratio); p.pos.set(p.pos.at); } });
    // (other marks placed at fixed x, such as a box a text sits in, move with the texts)
    if (ratio < 1) {
      (function others(u) {
        var m = u.mark, enc = u.encoding || {};
        if (m !== undefined && m !== "text" && !(m && m.type === "text")) {
          ["x", "x2"].forEach(function (ch) { if (enc[ch] && typeof enc[ch].value === "number") { enc[ch].value = Math.round(enc[ch].value * ratio); } });
        }
        (u.layer || []).forEach(others);
      })(s);
    }
    var columns = placed.map(function (p) { return p.pos.at; }).filter(function (v, i, a) { return v !== null && a.indexOf(v) === i; })
      .sort(function (a, b) { return a - b; });
    // (a text's room ends at the next column of text on its own line: same y, y offset and dy)
    var line = function (t) { var e = t.encoding || {}; return JSON.stringify([e.y, e.yOffset, t.mark.dy || 0, t.mark.y]); };
    placed.forEach(function (p) {
      var t = p.t, at = p.pos.at, align = t.mark.align || "center", dx = t.mark.dx || 0, room;
      if (at === null) {
        room = width;
      } else {
        at += dx;
        var mine = placed.filter(function (q) { return q.pos.at !== null && line(q.t) === line(t); }).map(function (q) { return q.pos.at; });
        var next = mine.filter(function (c) { return c > p.pos.at; }).sort(function (a, b) { return a - b; })[0];
        var right = align === "left" && next !== undefined ? next - 6 : width;
        room = align === "left" ? right - at : align === "right" ? at : 2 * Math.min(at, width - at);
      }
      if (columns.length >= 3 && !(t.mark.fontSize && t.mark.fontSize < 10.5)) { t.mark.fontSize = 10.5; }
      room = Math.max(24, Math.floor(room) - 2);
      t.mark.limit = t.mark.limit ? Math.min(t.mark.limit, room) : room;
    });
  }

  // A read-out table drawn with text marks (four or more columns at fixed x, rows at fixed y) is too
  // cramped on a narrow column: each row is reflowed into two lines, its first cell (the row's name) on
  // the full width above its other cells, which keep their column headings. Nothing is dropped but the
  // heading of the name column. Returns false when `s` is not such a table.
  // `left`: room (px) left of the view, kept for the axes of plots stacked with it, that the table may use.
  function reflowTable(s, width, left) {
    var marks = textMarks(s, []);
    var cells = marks.map(function (t) {
      var enc = t.encoding || {};
      return { t: t, x: enc.x && typeof enc.x.value === "number" ? enc.x.value : null,
               y: enc.y && typeof enc.y.value === "number" ? enc.y.value : null };
    });
    if (!cells.length || cells.some(function (c) { return c.x === null || c.y === null; })) { return false; }
    var uniq = function (a) { return a.filter(function (v, i) { return a.indexOf(v) === i; }).sort(function (p, q) { return p - q; }); };
    var xs = uniq(cells.map(function (c) { return c.x; })), ys = uniq(cells.map(function (c) { return c.y; }));
    if (xs.length < 4 || ys.length < 3) { return false; }
    left = left || 0;
    var line = 15, colW = (width + left) / (xs.length - 1);
    cells.forEach(function (c) {
      var col = xs.indexOf(c.x), row = ys.indexOf(c.y), m = c.t.mark;
      m.fontSize = 10.5; m.dx = 0; m.align = "left";
      if (row === 0 && col === 0) { c.t.encoding.text = { value: "" }; return; }  // the name column's heading
      var top = row === 0 ? ys[0] : ys[0] + 8 + (row - 1) * (2 * line + 6) + line;
      if (col === 0) {
        c.t.encoding.x.value = -left; c.t.encoding.y.value = top; m.limit = Math.floor(width + left) - 2; m.fontWeight = "bold";
      } else {
        c.t.encoding.x.value = Math.round((col - 1) * colW - left); c.t.encoding.y.value = row === 0 ? ys[0] : top + line;
        m.limit = Math.max(24, Math.floor(colW) - 4);
      }
    });
    s.height = ys[0] + 8 + (ys.length - 1) * (2 * line + 6) + 6;
    return true;
  }

  // Give every view of `s` a width so that the whole figure is about `width` px wide. Beside each leaf
  // view (a single or layered chart) room is kept for its axes and legends: `room.guess` px at first,
  // then what the first drawing measured for that leaf (`room.measured[i]`, in reading order).
  function fit(s, width, room, top) {
    if (!isLeaf(s)) { fitTitle(s, width); }
    if (isLeaf(s)) {
      var i = room.next++;
      var w = numericWidth(s), extra = 0;
      if (w !== null) {
        if (top) {
          s.width = Math.max(120, Math.floor(width));
          s.autosize = { type: "fit-x", contains: "padding" };
        } else {
          extra = room.measured && room.measured[i] !== undefined ? room.measured[i] : room.guess;
          s.width = Math.max(80, Math.floor(width - extra));
        }
        if (width < STACK_BELOW && !reflowTable(s, s.width, Math.max(0, Math.min(60, extra - 12)))) { limitTexts(s, s.width, w); }
      }
      fitTitle(s, top || typeof s.width !== "number" ? width : s.width + 30);
      return;
    }
    var spacing;
    if (s.hconcat) {
      if (width < STACK_BELOW) {
        s.vconcat = s.hconcat; delete s.hconcat;
        s.vconcat.forEach(function (c) { fit(c, width, room, false); });
        return;
      }
      spacing = typeof s.spacing === "number" ? s.spacing : 20;
      var n = s.hconcat.length;
      var widths = s.hconcat.map(function (c) { return (isLeaf(c) && numericWidth(c)) || 300; });
      var total = widths.reduce(function (a, b) { return a + b; }, 0);
      var free = width - spacing * (n - 1);
      s.hconcat.forEach(function (c, i) { fit(c, free * widths[i] / total, room, false); });
      return;
    }
    if (s.vconcat) { s.vconcat.forEach(function (c) { fit(c, width, room, false); }); return; }
    if (s.concat) {
      var cols = width < STACK_BELOW ? 1 : (s.columns || s.concat.length);
      s.columns = cols;
      spacing = typeof s.spacing === "number" ? s.spacing : 20;
      s.concat.forEach(function (c) { fit(c, (width - spacing * (cols - 1)) / cols, room, false); });
      return;
    }
    if (s.facet && s.spec) {
      var fcols = width < STACK_BELOW ? 1 : (s.columns || 1);
      s.columns = fcols;
      room.facet = true;
      fit(s.spec, (width - 20 * (fcols - 1)) / fcols, room, false);
    }
  }

  // The leaf views of a drawn figure, in reading order, with the room their axes and legends took.
  // Stacked panels are aligned on their plot areas, so every panel keeps the widest left margin.
  function measuredRoom(view) {
    var left = [], right = [];
    function walk(item) {
      var scopes = (item.items || []).filter(function (m) { return m.marktype === "group" && /concat_\d+_group$/.test(m.name || ""); });
      if (!scopes.length) {
        var b = item.bounds, x = item.x || 0;
        left.push(b ? Math.max(0, Math.ceil(x - b.x1)) : 0);
        right.push(b ? Math.max(0, Math.ceil(b.x2 - x - (item.width || 0))) : 0);
        return;
      }
      scopes.forEach(function (m) { m.items.forEach(walk); });
    }
    walk(view.scenegraph().root.items[0]);
    var leftMost = Math.max.apply(null, left.concat([0]));
    var pad = view.padding() || {};
    var edges = (pad.left || 0) + (pad.right || 0) + 2;
    return right.map(function (r) { return leftMost + r + edges; });
  }

  // On a narrow column a legend laid out in a row (above or below the plot) wraps into as many
  // columns as its longest label allows, instead of running past the figure's edge.
  var CHANNELS = ["color", "fill", "stroke", "shape", "size", "opacity", "strokeDash"];
  function wrapLegends(s, width) {
    if (!s || typeof s !== "object") { return; }
    var enc = s.encoding || {};
    CHANNELS.forEach(function (ch) {
      var c = enc[ch];
      if (!c || typeof c !== "object" || c.legend === null) { return; }
      var lg = c.legend = c.legend || {};
      if (!(lg.orient === "top" || lg.orient === "bottom" || lg.direction === "horizontal" || compact) || lg.columns) { return; }
      var domain = c.scale && Array.isArray(c.scale.domain) ? c.scale.domain : null;
      var longest = domain ? Math.max.apply(null, domain.map(function (d) { return String(d).length; })) : 24;
      var entry = longest * 0.62 * (lg.labelFontSize || 12) + 36;
      var avail = (width - 20) * 0.6;  // a legend above or below starts where the plot starts
      lg.columns = compact ? 1 : Math.max(1, Math.min(domain ? domain.length : 8, Math.floor(avail / entry)));
      lg.labelLimit = Math.max(60, Math.floor((width - 20) / lg.columns) - 34);
      if (compact) { lg.orient = "bottom"; lg.direction = "vertical"; }
      // a label longer than that wraps onto lines that fit, as the names on a vertical axis do
      if (domain && !lg.labelExpr) {
        var font = (lg.labelFontSize || legendFontSize) + "px " + legendFont, wrapped = {}, any = false;
        domain.forEach(function (d) {
          var n = String(d);
          if (textWidth(n, font) <= lg.labelLimit - 1) { return; }
          var lines = wrapToWidth(n, lg.labelLimit - 1, font);
          if (lines.length > 1) { wrapped[n] = lines; any = true; }
        });
        if (any) { lg.labelExpr = "(" + JSON.stringify(wrapped) + ")[datum.label] || datum.label"; }
      }
    });
    ["layer", "hconcat", "vconcat", "concat"].forEach(function (k) { (s[k] || []).forEach(function (c) { wrapLegends(c, width); }); });
    if (s.spec) { wrapLegends(s.spec, width); }
  }

  // Category names on a vertical axis wrap onto several lines instead of being cut. The room of a name
  // is its axis's labelLimit and, on a narrow column, at most 38 % of the width (30 % in the compact
  // pass); a name wider than that (measured as Vega measures text, on a canvas) is broken between words
  // into lines that fit, through a label expression, and the rows are made tall enough for the lines
  // of the longest name. The names are the categories of the field: its sort order or scale domain as
  // given, and its values in the view's data (inline, or a named dataset).
  var measurer = null;
  function textWidth(text, font) {
    if (!measurer) { measurer = document.createElement("canvas").getContext("2d"); }
    measurer.font = font;
    return measurer.measureText(text).width;
  }
  function wrapToWidth(text, limit, font) {
    var lines = [], line = "";
    String(text).split(/\s+/).filter(Boolean).forEach(function (w) {
      var longer = line ? line + " " + w : w;
      if (line && textWidth(longer, font) > limit) { lines.push(line); line = w; } else { line = longer; }
    });
    if (line) { lines.push(line); }
    return lines;
  }
  function dataRows(root, data) {
    if (!data || typeof data !== "object") { return null; }
    if (Array.isArray(data.values)) { return data.values; }
    if (data.name && root.datasets && Array.isArray(root.datasets[data.name])) { return root.datasets[data.name]; }
    return null;
  }
  function wrapAxisLabels(root, width) {
    var config = root.config || {}, axisConf = config.axis || {}, yConf = config.axisY || {};
    var cap = width < STACK_BELOW ? Math.floor(width * (compact ? 0.3 : 0.38)) : 1e9;
    function units(s, data, out) {  // every single view of a leaf, with the data it inherits
      var own = s.data || data;
      if (s.mark !== undefined) { out.push({ s: s, data: own }); }
      (s.layer || []).forEach(function (l) { units(l, own, out); });
      return out;
    }
    function leaf(s, data) {
      var need = 0, rows = 0;
      // the view's width with its axes (a view fitted to the column has them inside its width)
      var viewWidth = typeof s.width === "number" ? s.width + (s.autosize ? 0 : 70) : width;
      units(s, data, []).forEach(function (u) {
        var y = (u.s.encoding || {}).y;
        if (!y || typeof y !== "object" || y.axis === null || !y.field || (y.type !== "nominal" && y.type !== "ordinal")) { return; }
        var axis = y.axis = y.axis || {};
        if (axis.labels === false || axis.labelExpr) { return; }
        var given = axis.labelLimit !== undefined ? axis.labelLimit : (yConf.labelLimit !== undefined ? yConf.labelLimit : axisConf.labelLimit);
        // (Vega's default limit is 180 px; 0 means none)
        var limit = Math.min(given === 0 ? 1e9 : given || 180, cap);
        if (limit >= 1e9) { return; }
        axis.labelLimit = limit;
        var size = axis.labelFontSize || yConf.labelFontSize || axisConf.labelFontSize || 10;
        var font = (axis.labelFontWeight || yConf.labelFontWeight || axisConf.labelFontWeight || "normal") + " " + size + "px "
          + (axis.labelFont || yConf.labelFont || axisConf.labelFont || config.font || "sans-serif");
        var names = [], seen = {};
        var add = function (v) { if (v !== null && v !== undefined && !seen["$" + v]) { seen["$" + v] = true; names.push(String(v)); } };
        var values = dataRows(root, u.data);
        if (values) { values.forEach(function (r) { add(r[y.field]); }); }
        var inData = names.length;
        if (Array.isArray(y.sort)) { y.sort.forEach(add); }
        if (y.scale && Array.isArray(y.scale.domain)) { y.scale.domain.forEach(add); }
        var linesAt = function (room) {
          return Math.max.apply(null, names.map(function (n) { return wrapToWidth(n, room - 1, font).length; }).concat([1]));
        };
        // Every row is as tall as the longest name's lines: the label column widens (up to half the
        // view) as far as that saves lines.
        var fewest = linesAt(limit);
        if (fewest > 1) {
          var best = limit, widest = Math.floor(0.5 * Math.min(width, viewWidth));
          for (var room = limit + 8; room <= widest && fewest > 1; room += 8) {
            var k = linesAt(room);
            if (k < fewest) { best = room; fewest = k; }
          }
          limit = axis.labelLimit = best;
        }
        var wrapped = {}, most = 1, any = false;
        names.forEach(function (n) {
          if (textWidth(n, font) <= limit - 1) { return; }
          var lines = wrapToWidth(n, limit - 1, font);
          if (lines.length > 1) { wrapped[n] = lines; most = Math.max(most, lines.length); any = true; }
        });
        if (!any) { return; }
        var lineHeight = Math.ceil(size * 1.15);
        axis.labelLineHeight = lineHeight;
        axis.labelExpr = "(" + JSON.stringify(wrapped) + ")[datum.label] || datum.label";
        need = Math.max(need, most * lineHeight + 4);
        rows = Math.max(rows, inData || names.length);
      });
      if (!need) { return; }
      // Rows at least `need` px apart: a step height grows, a fixed height grows to hold every row.
      if (s.height && typeof s.height === "object" && typeof s.height.step === "number") { s.height.step = Math.max(s.height.step, need); }
      else if (typeof s.height === "number") { s.height = Math.max(s.height, Math.ceil(rows * need)); }
      else if (s.height === undefined) { s.height = { step: Math.max(20, need) }; }
    }
    (function walk(s, data) {
      if (!s || typeof s !== "object") { return; }
      if (isLeaf(s)) { leaf(s, data); return; }
      var own = s.data || data;
      ["hconcat", "vconcat", "concat"].forEach(function (k) { (s[k] || []).forEach(function (c) { walk(c, own); }); });
      if (s.spec) { walk(s.spec, own); }
    })(root, undefined);
  }

  // On a narrow column a legend label may not be wider than the column (it is cut with an ellipsis,
  // and the full text stays in the tooltip and the figure's description).
  var legendFont = "sans-serif", legendFontSize = 10;  // the figure's legend font (set below)
  function narrowLegends(s, width) {
    s.config = s.config || {};
    s.config.legend = s.config.legend || {};
    legendFont = s.config.legend.labelFont || s.config.font || "sans-serif";
    legendFontSize = s.config.legend.labelFontSize || 10;
    s.config.legend.labelLimit = Math.max(120, width - 60);
    if (width < STACK_BELOW) {
      wrapLegends(s, width);
      // Axes the wrapping below does not reach (no category names) keep a share of the width.
      s.config.axisY = s.config.axisY || {};
      s.config.axisY.labelLimit = Math.min(s.config.axisY.labelLimit || 1e9, Math.floor(width * (compact ? 0.3 : 0.38)));
    }
    s.config.title = s.config.title || {};
    s.config.title.frame = "bounds";
  }

  function columnWidth(target) {
    return Math.floor(target.getBoundingClientRect().width || target.parentElement.getBoundingClientRect().width || 600);
  }

  function svgWidth(live) {
    var svg = live.querySelector("svg");
    return svg ? parseFloat(svg.getAttribute("width")) : 0;
  }

  // How far (px) the drawn figure, or any of its titles, legends or axis titles, runs past the column.
  function overshoot(live, width) {
    var svg = live.querySelector("svg");
    if (!svg) { return 0; }
    var over = Math.max(0, parseFloat(svg.getAttribute("width")) - width);
    var box = svg.getBoundingClientRect();
    if (!box.width) { return over; }
    var scale = parseFloat(svg.getAttribute("width")) / box.width || 1;
    var texts = svg.querySelectorAll(".role-title text, .role-legend text, .role-axis-title text");
    for (var i = 0; i < texts.length; i++) {
      var r = texts[i].getBoundingClientRect();
      if (r.width) { over = Math.max(over, (r.right - box.right) * scale, (box.left - r.left) * scale); }
    }
    return Math.ceil(over);
  }

  // The height a figure with controls may take: the window below the theme's sticky bar.
  function heightBudget() { return window.innerHeight - stickyHeaderHeight() - 12; }

  // Scale the height of every view that draws a plot (not a read-out of text marks) by `f`.
  function scaleHeights(s, f) {
    if (!s || typeof s !== "object") { return; }
    if (isLeaf(s)) {
      var textOnly = textMarks(s, []).length && !(s.layer || [s]).some(function (l) {
        var m = l.mark; return m && m !== "text" && m.type !== "text"; });
      if (!textOnly) { s.height = Math.round((typeof s.height === "number" ? s.height : 300) * f); }
      return;
    }
    ["hconcat", "vconcat", "concat"].forEach(function (k) { (s[k] || []).forEach(function (c) { scaleHeights(c, f); }); });
    if (s.spec) { scaleHeights(s.spec, f); }
  }
  function plotHeight(s) {  // total height of the plots stacked in `s` (side by side: the tallest)
    if (!s || typeof s !== "object") { return 0; }
    if (isLeaf(s)) {
      var textOnly = textMarks(s, []).length && !(s.layer || [s]).some(function (l) {
        var m = l.mark; return m && m !== "text" && m.type !== "text"; });
      return textOnly ? 0 : (typeof s.height === "number" ? s.height : 300);
    }
    if (s.vconcat) { return s.vconcat.reduce(function (a, c) { return a + plotHeight(c); }, 0); }
    if (s.hconcat) { return Math.max.apply(null, s.hconcat.map(plotHeight).concat([0])); }
    if (s.concat) { return s.concat.reduce(function (a, c) { return a + plotHeight(c); }, 0) / Math.max(1, s.columns || s.concat.length); }
    return s.spec ? plotHeight(s.spec) : 0;
  }
  var MIN_SCALE = 0.6;  // plots are never squeezed below 60 % of their designed height

  function embed(target, live, spec) {
    return window.vegaEmbed(live, spec, { mode: "vega-lite", actions: false, renderer: "svg" });
  }

  function draw(target, specText, heightScale) {
    var spec;
    try {
      // (a spec loaded from its file is kept as an object: copy it, the fitting below changes it)
      spec = typeof specText === "string" ? JSON.parse(specText) : clone(specText);
      if (heightScale && heightScale < 1) { scaleHeights(spec, heightScale); }
    } catch (err) {
      target.setAttribute("data-state", "error");
      console.error("trialkit: chart spec is not valid JSON", target.id, err);
      return Promise.resolve();
    }
    target.setAttribute("data-state", "drawing");
    var width = columnWidth(target);
    // A figure may carry its own layout for narrow columns (usermeta.trialkitNarrow: {below, spec}), drawn
    // instead of shrinking the wide one when the column is narrower than `below` px.
    var narrow = spec.usermeta && spec.usermeta.trialkitNarrow;
    if (narrow && narrow.spec && width < narrow.below) {
      var title = spec.title;  // (the figure's title, which a page may have set, goes with it)
      spec = narrow.spec;
      if (title !== undefined) { spec.title = title; }
    }
    var live = document.createElement("div");
    live.className = "tk-live";
    target.appendChild(live);
    var fitted = clone(spec);
    narrowLegends(fitted, width);
    var room = { guess: 70, next: 0 };
    fit(fitted, width, room, true);
    wrapAxisLabels(fitted, width);
    return embed(target, live, fitted).then(function (result) {
      if (svgWidth(live) <= width + 1 || isLeaf(fitted) || room.facet) { return result; }
      // Compound figure wider than its column: redraw once with each panel's measured room.
      var measured = measuredRoom(result.view);
      result.finalize();
      live.innerHTML = "";
      fitted = clone(spec);
      narrowLegends(fitted, width);
      fit(fitted, width, { guess: 70, next: 0, measured: measured }, true);
      wrapAxisLabels(fitted, width);
      return embed(target, live, fitted);
    }).then(function again(result, tries) {
      // Last resort: a title, legend or label still past the figure's edge (or the figure past its
      // column): fit the figure to a column narrowed by the overshoot, at most twice.
      tries = tries || 0;
      var over = overshoot(live, width);
      if (over < 1 || tries >= 2) { return result; }
      result.finalize();
      live.innerHTML = "";
      fitted = clone(spec);
      // First a compact layout (one-column legends below, shorter axis labels, narrower axis titles),
      // then, if text still sticks out, the same on a column narrowed by the overshoot.
      var narrower = tries === 0 ? width : Math.max(Math.floor(0.85 * width), width - over - 6);
      compact = true;
      try {
        narrowLegends(fitted, narrower);
        fit(fitted, narrower, { guess: 70, next: 0 }, true);
        wrapAxisLabels(fitted, narrower);
      } finally { compact = false; }
      return embed(target, live, fitted).then(function (r) { return again(r, tries + 1); });
    }).then(function (result) {
      var still = target.querySelector("img.tk-static");
      if (still) { still.remove(); }
      live.classList.add("tk-shown");
      target.setAttribute("data-state", "rendered");
      target.setAttribute("data-rendered-ms", String(Math.round(performance.now())));
      target.setAttribute("data-fitted-width", String(width));
      target.vegaView = result.view;
      target._tkResult = result;
      target._tkFitted = fitted;
      var bindings = live.querySelector(".vega-bindings");
      if (bindings && bindings.querySelector("input, select")) {  // (Vega-Embed writes an empty form for every chart)
        // A figure with controls fits the window, controls included, so that the reader sees both at
        // once without anything covering the chart: first the plots give up height (down to MIN_SCALE),
        // then the control panel scrolls inside its own box (at least a quarter of the window).
        var budget = heightBudget(), svgBox = live.querySelector("svg");
        var svgH = svgBox ? svgBox.getBoundingClientRect().height : 0, total = live.getBoundingClientRect().height;
        if (total > budget && !heightScale) {
          var plots = plotHeight(fitted);
          var f = plots ? Math.max(MIN_SCALE, Math.min(1, (plots - (total - budget)) / plots)) : 1;
          if (f < 0.98) {
            result.finalize();
            live.remove();
            target.classList.remove("tk-tall", "tk-squeezed");
            return draw(target, specText, f);
          }
        }
        if (total > 0.7 * window.innerHeight) { target.classList.add("tk-tall"); }
        if (total > budget) {
          target.classList.add("tk-squeezed");
          var panelMax = Math.max(Math.round(budget / 4), Math.floor(budget - svgH - 16));
          target.style.setProperty("--tk-panel-max", panelMax + "px");
          var panelH = Math.min(panelMax, bindings.getBoundingClientRect().height);
          if (svgBox && svgH + panelH + 16 > budget) {
            // Even so the figure (several panels with their text) is taller than the window: it scrolls
            // in a box of its own under its controls, so that both stay in view and nothing covers it.
            var box = document.createElement("div");
            box.className = "tk-figure-scroll";
            box.setAttribute("tabindex", "0");  // a scrolling region must be reachable from the keyboard
            box.setAttribute("role", "group");
            box.setAttribute("aria-label", "Figure: scroll inside it to see all of it");
            svgBox.parentNode.insertBefore(box, svgBox);
            box.appendChild(svgBox);
            box.style.maxHeight = Math.max(160, Math.floor(budget - panelH - 16)) + "px";
          }
        }
      }
      if (heightScale) { target.setAttribute("data-height-scale", heightScale.toFixed(2)); }
      document.dispatchEvent(new CustomEvent("trialkit:chart-rendered", { detail: { id: target.id } }));
    }).catch(function (err) {
      target.setAttribute("data-state", "error");
      console.error("trialkit: chart failed to render", target.id, err);
    });
  }

  var specs = {};        // chart id -> its spec (JSON text inline in the page, or the object from its file)
  var specSources = {};  // chart id -> address of its spec file (_charts/<digest>.js), until loaded
  var specLoads = {};    // chart id -> promise of its spec
  var specArrived = {};  // chart id -> resolve of that promise
  var queue = [];
  var busy = false;

  // A spec file calls this when it runs (a classic script: it also works on file://).
  window.trialkitChartSpec = function (id, spec) {
    specs[id] = spec;
    if (specArrived[id]) { specArrived[id](spec); delete specArrived[id]; }
  };

  function loadSpec(id) {
    if (specs[id] !== undefined) { return Promise.resolve(specs[id]); }
    if (!specSources[id]) { return Promise.reject(new Error("no specification for chart " + id)); }
    if (!specLoads[id]) {
      specLoads[id] = new Promise(function (resolve, reject) {
        specArrived[id] = resolve;
        var s = document.createElement("script");
        s.src = specSources[id];
        s.onload = function () {
          if (specs[id] === undefined) { reject(new Error(specSources[id] + " did not define chart " + id)); }
        };
        s.onerror = function () { reject(new Error("could not load " + specSources[id])); };
        document.head.appendChild(s);
      });
    }
    return specLoads[id];
  }
  window.trialkitLoadSpec = loadSpec;  // the tests read the specs of a page's charts

  // Resolves once the chart's pre-rendered image is on screen (loaded, then one frame painted), so that
  // the long tasks of drawing it live (running the bundle, the spec, Vega's first render) never hold back
  // the image a reader has just scrolled to. A lazy image is asked for now; at most a second is waited.
  function imageShown(target) {
    var img = target.querySelector("img.tk-static");
    return new Promise(function (resolve) {
      var done = false;
      var finish = function () { if (!done) { done = true; resolve(); } };
      var afterPaint = function () { requestAnimationFrame(function () { setTimeout(finish, 0); }); };
      setTimeout(finish, 1000);
      if (!img || img.complete) { afterPaint(); return; }
      img.addEventListener("load", afterPaint, { once: true });
      img.addEventListener("error", finish, { once: true });
      if (img.loading === "lazy") { img.loading = "eager"; }
    });
  }

  function pump() {
    if (busy || !queue.length) { return; }
    busy = true;
    var target = queue.shift();
    imageShown(target).then(function () {
      return Promise.all([loadBundle(), loadSpec(target.id)]);
    }).then(function (loaded) {
      return draw(target, loaded[1]);
    }, function (err) {
      target.setAttribute("data-state", "error");
      console.error("trialkit: " + err.message);
    }).then(function () {
      busy = false;
      // Yield to the browser between charts so that scrolling and input stay responsive.
      setTimeout(pump, 0);
    });
  }

  function request(target) {
    if (target.getAttribute("data-state") !== "static" || queue.indexOf(target) >= 0) { return; }
    queue.push(target);
    pump();
  }

  function redrawOnResize(target) {
    if (!window.ResizeObserver) { return; }
    var timer = null;
    new ResizeObserver(function () {
      if (target.getAttribute("data-state") !== "rendered") { return; }
      var before = parseFloat(target.getAttribute("data-fitted-width"));
      if (Math.abs(columnWidth(target) - before) < 24) { return; }
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (target._tkResult) { target._tkResult.finalize(); }
        var old = target.querySelector(".tk-live");
        if (old) { old.remove(); }
        target.classList.remove("tk-tall", "tk-squeezed");
        draw(target, specs[target.id]);
      }, 200);
    }).observe(target);
  }

  // The height of the theme's bars that stay at the top of the window (they differ by screen width).
  function stickyHeaderHeight() {
    var h = 0;
    document.querySelectorAll(".bd-header, .bd-header-article").forEach(function (el) {
      var pos = getComputedStyle(el).position;
      if (pos === "sticky" || pos === "fixed") {
        h = Math.max(h, Math.ceil((parseFloat(getComputedStyle(el).top) || 0) + el.getBoundingClientRect().height));
      }
    });
    return h;
  }

  function init() {
    var targets = [];
    // Controls of tall figures stick just below the theme's sticky header.
    document.documentElement.style.setProperty("--tk-sticky-top", stickyHeaderHeight() + "px");
    document.querySelectorAll("script.trialkit-chart-spec").forEach(function (node) {
      var target = document.getElementById(node.getAttribute("data-target"));
      if (!target) { return; }
      if (!target.getAttribute("data-state")) { target.setAttribute("data-state", "static"); }
      if (node.getAttribute("data-src")) { specSources[target.id] = node.getAttribute("data-src"); }
      else { specs[target.id] = node.textContent; }
      targets.push(target);
      redrawOnResize(target);
    });
    if (!("IntersectionObserver" in window)) { targets.forEach(request); return; }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting) { observer.unobserve(e.target); request(e.target); }
      });
    }, { rootMargin: NEAR });
    targets.forEach(function (t) { observer.observe(t); });
  }

  // Tests and the benchmark may ask for every chart at once.
  window.trialkitDrawAll = function () {
    document.querySelectorAll(".trialkit-chart[data-state=static]").forEach(request);
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
