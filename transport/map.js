// Draws a transport map from the JSON block in the page (see transport/maps.py).
// Text from the data is only ever placed with textContent, never parsed as markup.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("transport-data").textContent);
  var map = L.map("map", {zoomControl: true}).setView(data.center, 11);
  L.control.scale({imperial: true, metric: true, position: "bottomright"}).addTo(map);
  var canvas = L.canvas({padding: 0.3});
  // pick-up points and schools sit above the run lines, so they can always be clicked
  map.createPane("points").style.zIndex = 450;
  var points = L.svg({pane: "points"});
  var state = {scenario: 0, schools: {}, types: {}, runs: {AM: true, PM: true}};
  var found = null;
  var schoolNames = {};
  data.schools.forEach(function (s) { schoolNames[s.urn] = s.name; });

  function pairs(flat) {
    var out = [];
    for (var i = 0; i + 1 < flat.length; i += 2) { out.push([flat[i], flat[i + 1]]); }
    return out;
  }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (cls) { node.className = cls; }
    return node;
  }
  function safeId(text) { return String(text).replace(/[^A-Za-z0-9_-]/g, "_"); }

  // ---------------------------------------------------------------- base layers
  var roads = L.layerGroup(data.roads.map(function (line) {
    return L.polyline(pairs(line), {renderer: canvas, color: "#b8b8b8", weight: 1, opacity: 0.8, interactive: false});
  })).addTo(map);
  var tiles = L.tileLayer("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png",
                          {maxZoom: 19, attribution: "&copy; OpenStreetMap contributors"});
  var schools = L.layerGroup(data.schools.map(function (s) {
    var marker = L.circleMarker([s.lat, s.lon], {radius: s.new ? 9 : 7, color: s.new ? "#e6007e" : "#000",
      weight: s.new ? 3 : 2, fillColor: s.new ? "#e6007e" : "#ffd700", fillOpacity: 0.95, className: "transport-school",
      pane: "points", renderer: points});
    marker.bindTooltip(s.name + " (" + s.about + ")" + (s.new ? " NEW PROVISION" : ""));
    return marker;
  })).addTo(map);

  // ---------------------------------------------------------------- vehicle runs
  function timetable(r, compact) {
    var box = el("div");
    var head = el("div");
    head.appendChild(el("b", r.id));
    var names = r.schools.map(function (u) { return schoolNames[u] || u; }).join("; ");
    head.appendChild(document.createTextNode(": " + r.type + (r.assistant ? " with passenger assistant" : "") + ", " +
      r.miles + " miles, " + r.minutes + " min, " + r.pupils + " pupils" +
      (r.gbp !== null ? ", \u00a3" + r.gbp.toLocaleString("en-GB") + " a year" : "")));
    box.appendChild(head);
    box.appendChild(el("div", names));
    var table = el("table", null, "timetable");
    var header = el("tr");
    var columns = compact ? ["time", "stop", "where", "pupils"] : ["time", "stop", "where", "pupils", "school", "ride min"];
    columns.forEach(function (h) { header.appendChild(el("th", h)); });
    table.appendChild(header);
    r.stops.forEach(function (s) {
      var row = el("tr");
      var cells = [s.t, s.what, s.at, s.pupils.split(";").join(" "), s.school, s.ride === null ? "" : s.ride];
      cells.slice(0, columns.length).forEach(function (v) { row.appendChild(el("td", v)); });
      table.appendChild(row);
    });
    box.appendChild(table);
    return box;
  }

  var runs = data.runs.map(function (r) {
    var line = L.polyline(pairs(r.line), {color: r.colour, weight: 4, opacity: 0.85,
      className: "transport-run run-" + r.scenario + "-" + safeId(r.id)});
    line.bindPopup(function () { return timetable(r); }, {maxWidth: 520});
    line.bindTooltip(r.id, {sticky: true});
    var group = L.layerGroup([line]);
    r.stops.forEach(function (s) {
      if (s.boards && s.home) {
        L.circleMarker([s.lat, s.lon], {radius: 4, color: r.colour, fillOpacity: 0.9, className: "transport-door"})
          .bindTooltip(r.id + " " + s.t + ": " + s.pupils + ", " + s.at).addTo(group);
      }
    });
    return {data: r, group: group, line: line};
  });

  function visible(r) {
    if (r.scenario !== state.scenario || state.runs[r.run] === false || state.types[r.type] === false) { return false; }
    return r.schools.some(function (u) { return state.schools[u] !== false; });
  }

  // ---------------------------------------------------------------- pick-up points and unserved pupils
  var stops = L.layerGroup().addTo(map);
  var unserved = L.layerGroup().addTo(map);
  function stopMarker(p) {
    var marker = L.circleMarker([p.lat, p.lon], {radius: 6, color: "#222", weight: 2, fillColor: "#fff", fillOpacity: 1,
      className: "transport-stop", pane: "points", renderer: points});
    marker.bindTooltip(p.name);
    marker.bindPopup(function () {
      var box = el("div");
      box.appendChild(el("b", p.name));
      box.appendChild(el("div", p.kind + " \u00b7 " + p.pupils + " pupils \u00b7 furthest walk " + Math.round(p.walk) + " m"));
      box.appendChild(el("div", "Schools: " + p.schools));
      box.appendChild(el("div", "Pupils by school (URN): " + p.by_school));
      return box;
    });
    return marker;
  }
  function unservedMarker(u) {
    var icon = L.divIcon({className: "transport-unserved", html: "<div style='font-size:18px;color:#d00'>&#10006;</div>",
                          iconSize: [18, 18], iconAnchor: [9, 9]});
    return L.marker([u.lat, u.lon], {icon: icon}).bindTooltip(u.run + " unserved " + u.pupils + ": " + u.reason);
  }
  function drawScenarioLayers() {
    stops.clearLayers();
    unserved.clearLayers();
    data.stops.forEach(function (p) { if (p.scenario === state.scenario) { stopMarker(p).addTo(stops); } });
    data.unserved.forEach(function (u) { if (u.scenario === state.scenario) { unservedMarker(u).addTo(unserved); } });
  }

  function refresh() {
    runs.forEach(function (x) {
      var on = visible(x.data) || x === found;
      if (on !== map.hasLayer(x.group)) {
        if (on) { x.group.addTo(map); } else { map.removeLayer(x.group); }
      }
    });
  }

  // ---------------------------------------------------------------- controls
  document.querySelectorAll("input[data-school]").forEach(function (box) {
    box.addEventListener("change", function () { state.schools[box.dataset.school] = box.checked; refresh(); });
  });
  document.querySelectorAll("input[data-type]").forEach(function (box) {
    box.addEventListener("change", function () { state.types[box.dataset.type] = box.checked; refresh(); });
  });
  document.querySelectorAll("input[data-run]").forEach(function (box) {
    box.addEventListener("change", function () { state.runs[box.dataset.run] = box.checked; refresh(); });
  });
  document.querySelectorAll("input[name=scenario]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (radio.checked) { state.scenario = Number(radio.value); clearFound(); drawScenarioLayers(); refresh(); }
    });
  });
  function setAllSchools(on) {
    document.querySelectorAll("input[data-school]").forEach(function (box) {
      box.checked = on;
      state.schools[box.dataset.school] = on;
    });
    refresh();
  }
  document.getElementById("schools-all").addEventListener("click", function () { setAllSchools(true); });
  document.getElementById("schools-none").addEventListener("click", function () { setAllSchools(false); });

  function clearFound() {
    if (found) { found.line.setStyle({weight: 4}); found = null; }
  }
  var result = document.getElementById("search-result");
  function find(text) {
    var wanted = String(text).trim().toUpperCase();
    if (!wanted) { return null; }
    var matches = runs.filter(function (x) { return x.data.id.toUpperCase() === wanted; });
    if (!matches.length) { matches = runs.filter(function (x) { return x.data.id.toUpperCase().indexOf(wanted) === 0; }); }
    var hit = matches.filter(function (x) { return x.data.scenario === state.scenario; })[0] || matches[0];
    clearFound();
    if (!hit) { result.textContent = "No run " + text; refresh(); return null; }
    found = hit;
    if (hit.data.scenario !== state.scenario) {
      state.scenario = hit.data.scenario;
      var radio = document.querySelector("input[name=scenario][value='" + hit.data.scenario + "']");
      if (radio) { radio.checked = true; }
      drawScenarioLayers();
    }
    refresh();
    hit.line.setStyle({weight: 9});
    hit.line.bringToFront();
    map.fitBounds(hit.line.getBounds(), {paddingTopLeft: [340, 40], paddingBottomRight: [40, 40], maxZoom: 16, animate: false});
    result.textContent = "Found " + hit.data.id + " ";
    result.appendChild(timetable(hit.data, true));  // in the panel, so the route itself stays in view
    return hit.data.id;
  }
  var search = document.getElementById("run-search");
  search.addEventListener("keydown", function (event) { if (event.key === "Enter") { find(search.value); } });
  search.addEventListener("change", function () { find(search.value); });

  L.control.layers(null, {"Pick-up points": stops, "Unserved pupils": unserved, "Schools": schools,
                          "Road network": roads, "OpenStreetMap tiles (online)": tiles}, {collapsed: false}).addTo(map);
  drawScenarioLayers();
  refresh();
  var everything = L.latLngBounds(data.schools.map(function (s) { return [s.lat, s.lon]; }));
  runs.forEach(function (x) { if (x.data.scenario === state.scenario) { everything.extend(x.line.getBounds()); } });
  if (everything.isValid()) { map.fitBounds(everything, {paddingTopLeft: [340, 20], paddingBottomRight: [20, 20]}); }

  // for tests and for people at the console: what is drawn now
  window.transportMap = {
    map: map,
    find: find,
    visibleRuns: function () {
      return runs.filter(function (x) { return map.hasLayer(x.group); }).map(function (x) { return x.data.id; });
    },
    stopNames: function () {
      var names = [];
      stops.eachLayer(function (m) { names.push(m.getTooltip() ? m.getTooltip().getContent() : ""); });
      return names;
    }
  };
}());
