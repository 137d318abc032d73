/* Draw every chart of the page with the self-hosted Vega bundle (vega-bundle.js, generated at build
   time). Each chart is a <div class="trialkit-chart"> followed by its Vega-Lite spec as JSON. */
(function () {
  "use strict";
  function drawAll() {
    var specs = document.querySelectorAll("script.trialkit-chart-spec");
    specs.forEach(function (node) {
      var target = document.getElementById(node.getAttribute("data-target"));
      if (!target || target.getAttribute("data-state")) { return; }
      target.setAttribute("data-state", "drawing");
      var spec;
      try {
        spec = JSON.parse(node.textContent);
      } catch (err) {
        target.setAttribute("data-state", "error");
        console.error("trialkit: chart spec is not valid JSON", target.id, err);
        return;
      }
      window.vegaEmbed(target, spec, { mode: "vega-lite", actions: false, renderer: "svg" })
        .then(function (result) {
          target.setAttribute("data-state", "rendered");
          target.setAttribute("data-rendered-ms", String(Math.round(performance.now())));
          target.vegaView = result.view;
          var ready = new CustomEvent("trialkit:chart-rendered", { detail: { id: target.id } });
          document.dispatchEvent(ready);
        })
        .catch(function (err) {
          target.setAttribute("data-state", "error");
          console.error("trialkit: chart failed to render", target.id, err);
        });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
