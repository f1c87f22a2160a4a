/* The progress bar of a check or an apply under way: ask the server where it stands every
   second and go to the batch's page once the work is done. Without JavaScript, the page's
   <noscript> refresh does the same, more slowly. */
(function () {
    "use strict";

    var root = document.querySelector("[data-imports-progress]");
    if (!root) {
        return;
    }
    var url = root.getAttribute("data-imports-progress");
    var bar = root.querySelector("[data-imports-progress-bar]");
    var text = root.querySelector("[data-imports-progress-text]");
    var figures = root.querySelector("[data-imports-progress-figures]");
    var INTERVAL = 1000;
    var RETRY = 5000;

    function show(data) {
        bar.value = data.progress;
        bar.textContent = data.progress + " %";
        if (text.textContent.trim() !== data.text) {
            text.textContent = data.text;
        }
        figures.textContent = data.figures;
    }

    function poll() {
        fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
            .then(function (response) {
                if (!response.ok) {
                    throw new Error(response.status);
                }
                return response.json();
            })
            .then(function (data) {
                show(data);
                if (data.working) {
                    window.setTimeout(poll, INTERVAL);
                } else {
                    window.location.assign(data.url);
                }
            })
            .catch(function () {
                // A moment without the server (a restart, the network): keep trying, slower.
                window.setTimeout(poll, RETRY);
            });
    }

    window.setTimeout(poll, INTERVAL);
})();
