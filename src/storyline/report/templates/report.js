// Draws the places map of a storyline report from the JSON blocks in the page (no network, no eval).
// Equirectangular projection with the x axis shrunk by cos(central latitude), framed on the places.
(function () {
  "use strict";
  var svg = document.getElementById("map-svg");
  if (!svg || typeof topojson === "undefined") return;
  var NS = "http://www.w3.org/2000/svg";
  var W = 960, H = 480;
  var MIN_SPAN = 8;       // degrees of latitude: never zoom closer than this (shapes are 1:110m)
  var MAX_LABELS = 14;    // label only the most named places, the rest keep their circle and tooltip
  var atlas = JSON.parse(document.getElementById("atlas-data").textContent);
  var places = JSON.parse(document.getElementById("places-data").textContent);
  var countries = topojson.feature(atlas, atlas.objects.countries).features;

  // Frame on towns and regions when there are any (a country's point is its centroid, far from the story),
  // and among those on the ones more than one article names when there are such: a passing mention of a
  // faraway capital should not zoom the map out to a continent.
  var local = places.filter(function (p) { return p.kind !== "country" && p.kind !== "continent"; });
  var shared = local.filter(function (p) { return p.articles > 1; });
  var framed = shared.length ? shared : local.length ? local : places;
  var lon0 = -170, lon1 = 190, lat0 = -58, lat1 = 84;
  if (framed.length) {
    lon0 = Math.min.apply(null, framed.map(function (p) { return p.lon; }));
    lon1 = Math.max.apply(null, framed.map(function (p) { return p.lon; }));
    lat0 = Math.min.apply(null, framed.map(function (p) { return p.lat; }));
    lat1 = Math.max.apply(null, framed.map(function (p) { return p.lat; }));
  }
  var cLon = (lon0 + lon1) / 2, cLat = (lat0 + lat1) / 2;
  var k = Math.max(0.2, Math.cos(cLat * Math.PI / 180));
  var spanLat = Math.max(MIN_SPAN, (lat1 - lat0) * 1.3), spanLon = Math.max(MIN_SPAN / k, (lon1 - lon0) * 1.3);
  var s = Math.min(W / (spanLon * k), H / spanLat);

  function project(lon, lat) {
    return [(W / 2 + (lon - cLon) * k * s).toFixed(1), (H / 2 - (lat - cLat) * s).toFixed(1)];
  }
  function ringPath(ring) {
    return "M" + ring.map(function (pt) { return project(pt[0], pt[1]).join(","); }).join("L") + "Z";
  }
  function geometryPath(g) {
    if (!g) return "";
    var polygons = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
    return polygons.map(function (poly) { return poly.map(ringPath).join(""); }).join("");
  }
  function el(name, attrs) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    return node;
  }

  var named = {};
  places.forEach(function (p) { if (p.kind === "country") named[p.name] = true; });
  var land = el("g", {"class": "countries"});
  countries.forEach(function (f) {
    var d = geometryPath(f.geometry);
    if (!d) return;
    var path = el("path", {"d": d, "class": named[f.properties.name] ? "country named" : "country"});
    var title = el("title", {});
    title.textContent = f.properties.name;
    path.appendChild(title);
    land.appendChild(path);
  });
  svg.appendChild(land);

  // Labels that would overlap an earlier (more named) one are left out; the circle keeps a tooltip.
  var boxes = [];
  function free(x, y, w) {
    var clash = boxes.some(function (b) { return x < b[0] + b[2] && b[0] < x + w && Math.abs(y - b[1]) < 15; });
    if (!clash) boxes.push([x, y, w]);
    return !clash;
  }
  var marks = el("g", {"class": "places"}), labels = el("g", {"class": "labels"});  // labels above every circle
  places.filter(function (p) { return p.kind !== "country" && p.kind !== "continent"; })
    .forEach(function (p, i) {
      var xy = project(p.lon, p.lat);
      var circle = el("circle", {"class": "place", "cx": xy[0], "cy": xy[1], "r": (4 + 3 * Math.sqrt(p.articles)).toFixed(1)});
      var title = el("title", {});
      title.textContent = p.name + " (" + p.articles + " article" + (p.articles === 1 ? "" : "s") + ")";
      circle.appendChild(title);
      marks.appendChild(circle);
      var lx = +xy[0] + 9, ly = +xy[1] + 4;
      if (i < MAX_LABELS && free(lx, ly, 7.5 * p.name.length)) {
        var label = el("text", {"class": "place-label", "x": lx.toFixed(1), "y": ly.toFixed(1)});
        label.textContent = p.name;
        labels.appendChild(label);
      }
    });
  svg.appendChild(marks);
  svg.appendChild(labels);
  svg.setAttribute("data-drawn", String(countries.length));
})();
