extension UIAssets {
    /// The only script: opens a node's panel without reloading (the links work without it),
    /// keeps the page live from the server's event stream, and keeps keyboard focus where it
    /// was when the graph is redrawn. Plain ES5-era DOM calls, no library.
    static let script = #"""
        "use strict";
        (function () {
          var live = document.getElementById("live");
          var detail = document.getElementById("detail");
          var workflow = document.querySelector(".workflow");
          var announcer = document.getElementById("announce");
          var selected = null;
          var selectedState = null;

          function nodeElement(name) { return name ? document.getElementById("node-" + name) : null; }
          function stateOf(name) { var element = nodeElement(name); return element ? element.getAttribute("data-state") : null; }
          function announce(text) { if (announcer) { announcer.textContent = text; } }
          function mark() {
            var nodes = document.querySelectorAll("#live .node");
            for (var i = 0; i < nodes.length; i++) {
              var isSelected = nodes[i].getAttribute("data-node") === selected;
              nodes[i].classList.toggle("selected", isSelected);
              if (isSelected) { nodes[i].setAttribute("aria-current", "true"); } else { nodes[i].removeAttribute("aria-current"); }
            }
          }
          function fromHash() {
            var match = /^#node=(.+)$/.exec(location.hash);
            return match ? decodeURIComponent(match[1]) : null;
          }
          function open(name, focus) {
            selected = name;
            selectedState = stateOf(name);
            mark();
            var request = new XMLHttpRequest();
            request.open("GET", location.pathname + "/nodes/" + encodeURIComponent(name));
            request.onload = function () {
              detail.innerHTML = request.responseText;
              if (focus) { var title = document.getElementById("detail-title"); if (title) { title.focus(); } }
            };
            request.send();
          }

          if (workflow) {
            document.addEventListener("click", function (event) {
              var link = event.target.closest ? event.target.closest("a[data-node]") : null;
              if (!link || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
              event.preventDefault();
              var name = link.getAttribute("data-node");
              if (fromHash() === name) { open(name, true); } else { location.hash = "node=" + encodeURIComponent(name); }
            });
            window.addEventListener("hashchange", function () { var name = fromHash(); if (name) { open(name, true); } });
            var initial = fromHash();
            var rendered = document.getElementById("detail-title");
            if (initial) { open(initial, false); } else if (rendered) { selected = rendered.getAttribute("data-node"); selectedState = stateOf(selected); mark(); }

            if (window.EventSource) {
              var source = new EventSource(workflow.getAttribute("data-events"));
              source.addEventListener("update", function (event) {
                var focused = document.activeElement && document.activeElement.id;
                var before = document.getElementById("workflow-title");
                var phaseBefore = before ? before.getAttribute("data-phase") + before.getAttribute("data-progress") : "";
                live.innerHTML = event.data;
                mark();
                var again = focused ? document.getElementById(focused) : null;
                if (again && live.contains(again)) { again.focus(); }
                var title = document.getElementById("workflow-title");
                if (title && title.getAttribute("data-phase") + title.getAttribute("data-progress") !== phaseBefore) {
                  announce(title.getAttribute("data-phase") + ", " + title.getAttribute("data-progress") + " nodes finished");
                }
                if (selected && stateOf(selected) !== selectedState) { open(selected, false); }
              });
              source.addEventListener("end", function () { source.close(); workflow.setAttribute("data-stream", "ended"); });
              source.addEventListener("gone", function () { source.close(); announce("This Workflow was deleted."); });
            }
          }

          var list = document.getElementById("list");
          if (list && window.EventSource) {
            var listSource = new EventSource(list.getAttribute("data-events") + location.search);
            listSource.addEventListener("update", function (event) { list.innerHTML = event.data; });
          }
        })();

        """#
}
