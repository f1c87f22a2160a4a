/* "Use my position" on the search page: the browser's position is asked for only when the
 * visitor clicks, then sent as lat/lon with the rest of the search. Without JavaScript or
 * geolocation the button stays hidden and the address field does the job. */
(function () {
  'use strict';
  var script = document.currentScript;
  var button = document.querySelector('[data-near-me]');
  if (!button || !('geolocation' in navigator)) {
    return;
  }
  var status = document.querySelector('[data-near-me-status]');
  var form = button.form;
  button.hidden = false;

  function hidden(name, value) {
    var input = form.querySelector('input[type=hidden][name="' + name + '"]');
    if (!input) {
      input = document.createElement('input');
      input.type = 'hidden';
      input.name = name;
      form.appendChild(input);
    }
    input.value = value;
  }

  button.addEventListener('click', function () {
    status.textContent = script.dataset.locating;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        hidden('lat', position.coords.latitude.toFixed(5));
        hidden('lon', position.coords.longitude.toFixed(5));
        var near = form.querySelector('#search-near');
        if (near) {
          near.value = '';
        }
        form.submit();
      },
      function () {
        status.textContent = script.dataset.denied;
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 }
    );
  });
})();
