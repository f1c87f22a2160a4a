/*
 * The map of an organisation's places on its public page (organisation_detail.html).
 *
 * Progressive enhancement: the page lists each place with a link to OpenStreetMap, which works
 * without JavaScript or tiles; this script puts a Leaflet map above that list. The points are the
 * list's own (data-latitude, data-longitude): the server never lists a confidential place.
 *
 * Plain ES2017, no build step, no Stimulus (the public site has none).
 */
(function () {
  'use strict';

  const PLACE_ZOOM = 16;
  // A place whose address is not placed shows the area around its municipality's or borough's
  // centre (data-area), as a circle rather than a pin at a street it may not be on.
  const AREA_ZOOM = 13;
  const AREA_RADIUS_METRES = 1500;

  function placesOf(container) {
    const places = [];
    container.querySelectorAll('[data-latitude][data-longitude]').forEach(function (item) {
      const latitude = Number(item.dataset.latitude);
      const longitude = Number(item.dataset.longitude);
      if (Number.isFinite(latitude) && Number.isFinite(longitude)) {
        places.push({
          position: [latitude, longitude],
          label: item.dataset.markerLabel || '',
          area: 'area' in item.dataset,
        });
      }
    });
    return places;
  }

  function buildMap(container) {
    const L = window.L;
    const places = placesOf(container);
    if (!L || places.length === 0) {
      return;
    }
    const data = container.dataset;

    const canvas = document.createElement('div');
    canvas.className = 'map__canvas';
    // Leaflet makes the map focusable (keyboard option): give it a role and a name. Tab leaves
    // it as it leaves any element; only the arrow and +/- keys act on it.
    canvas.setAttribute('role', 'region');
    canvas.setAttribute('aria-label', data.label || '');
    if (data.help) {
      const help = document.createElement('p');
      help.className = 'map__help';
      help.id = 'map-help';
      help.textContent = data.help;
      canvas.setAttribute('aria-describedby', help.id);
      container.insertBefore(help, container.firstChild);
    }
    container.insertBefore(canvas, container.firstChild);

    const map = L.map(canvas, {
      keyboard: true,
      // The page scrolls under a wheel or a finger: the buttons, the keys and a pinch zoom, and
      // on a phone one finger scrolls the page rather than drag the map.
      scrollWheelZoom: false,
      dragging: !L.Browser.mobile,
      zoomControl: false,
    });
    L.control
      .zoom({ zoomInTitle: data.zoomInLabel, zoomOutTitle: data.zoomOutLabel })
      .addTo(map);
    if (data.tileUrl) {
      L.tileLayer(data.tileUrl, { attribution: data.attribution, maxZoom: 19 }).addTo(map);
    }
    const icon = L.icon(
      Object.assign({}, L.Icon.Default.prototype.options, {
        // Explicit URLs: Leaflet's guess from leaflet.css fails on hashed static file names.
        iconUrl: data.iconUrl,
        iconRetinaUrl: data.iconRetinaUrl,
        shadowUrl: data.shadowUrl,
      }),
    );
    places.forEach(function (place) {
      if (place.area) {
        L.circle(place.position, {
          radius: AREA_RADIUS_METRES,
          interactive: false,
          color: '#0b4f8a',
          weight: 2,
          dashArray: '6 6',
          fillOpacity: 0.08,
        }).addTo(map);
        return;
      }
      // Not a tab stop: a marker does nothing when activated, and the list below says it all.
      L.marker(place.position, {
        icon: icon,
        title: place.label,
        alt: place.label,
        keyboard: false,
      }).addTo(map);
    });
    if (places.length === 1) {
      map.setView(places[0].position, places[0].area ? AREA_ZOOM : PLACE_ZOOM);
    } else {
      map.fitBounds(
        places.map(function (place) {
          return place.position;
        }),
        { padding: [32, 32], maxZoom: PLACE_ZOOM },
      );
    }
  }

  document.querySelectorAll('.map[data-map]').forEach(function (container) {
    try {
      buildMap(container);
    } catch (error) {
      // The list of places is still there: a broken map must not break the page.
      console.error(error);
    }
  });
})();
