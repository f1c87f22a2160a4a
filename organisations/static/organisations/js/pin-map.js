/*
 * The pin map of a location in the admin (organisations/panels.py, PinMapPanel).
 *
 * Clicking the map or dragging the pin writes the position, rounded to 6 decimals, into the
 * location's latitude and longitude inputs and ticks its "pin placed by hand" box; typing in the
 * inputs moves the pin (and ticks the box too). A Stimulus controller on Wagtail's own application, so that the maps of
 * locations added with the InlinePanel's "Add" button connect by themselves.
 *
 * Plain ES2017, no build step: no class fields, no object spread.
 */
(function () {
  'use strict';

  const DECIMALS = 6;

  function round(value) {
    return Number(value.toFixed(DECIMALS));
  }

  /* A number in [min, max] from an input's value, or null. */
  function readNumber(input, min, max) {
    const text = (input.value || '').trim().replace(',', '.');
    if (text === '') {
      return null;
    }
    const value = Number(text);
    return Number.isFinite(value) && value >= min && value <= max ? value : null;
  }

  function notify(input) {
    // Wagtail's unsaved-changes warning and any other listener learn of the new value.
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }

  class PinMapController extends window.StimulusModule.Controller {
    static get targets() {
      return ['map'];
    }

    static get values() {
      return {
        latitudeInput: String,
        longitudeInput: String,
        lockInput: String,
        tileUrl: String,
        attribution: String,
        centre: { type: Array, default: [45.5088, -73.5878] },
        zoom: { type: Number, default: 10 },
        pinZoom: { type: Number, default: 16 },
        iconUrl: String,
        iconRetinaUrl: String,
        shadowUrl: String,
        pinLabel: String,
        zoomInLabel: { type: String, default: 'Zoom in' },
        zoomOutLabel: { type: String, default: 'Zoom out' },
      };
    }

    connect() {
      this.latitudeInput = document.getElementById(this.latitudeInputValue);
      this.longitudeInput = document.getElementById(this.longitudeInputValue);
      this.lockInput = document.getElementById(this.lockInputValue);
      if (!window.L || !this.latitudeInput || !this.longitudeInput) {
        return;
      }
      this.map = null;
      this.marker = null;
      this.writing = false;
      this.onInput = this.onInput.bind(this);
      this.latitudeInput.addEventListener('input', this.onInput);
      this.longitudeInput.addEventListener('input', this.onInput);
      this.listening = true;

      // Leaflet needs a container with a size: the map is built once its tab or panel is shown,
      // and told when its size changes afterwards.
      this.resizeObserver = new ResizeObserver(() => this.onResize());
      this.resizeObserver.observe(this.mapTarget);
    }

    disconnect() {
      if (this.resizeObserver) {
        this.resizeObserver.disconnect();
        this.resizeObserver = null;
      }
      if (this.listening) {
        this.latitudeInput.removeEventListener('input', this.onInput);
        this.longitudeInput.removeEventListener('input', this.onInput);
        this.listening = false;
      }
      if (this.map) {
        this.map.remove();
        this.map = null;
        this.marker = null;
      }
    }

    onResize() {
      const box = this.mapTarget.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) {
        return;
      }
      if (this.map) {
        this.map.invalidateSize();
      } else {
        this.buildMap();
      }
    }

    buildMap() {
      const L = window.L;
      const position = this.inputPosition();
      this.map = L.map(this.mapTarget, {
        // The map sits in a long form: the wheel scrolls the page, the buttons zoom.
        scrollWheelZoom: false,
        zoomControl: false,
      });
      // Leaflet's own zoom control, with translated button titles.
      L.control
        .zoom({ zoomInTitle: this.zoomInLabelValue, zoomOutTitle: this.zoomOutLabelValue })
        .addTo(this.map);
      if (position) {
        this.map.setView(position, this.pinZoomValue);
      } else {
        this.map.setView(this.centreValue, this.zoomValue);
      }
      if (this.tileUrlValue) {
        L.tileLayer(this.tileUrlValue, {
          attribution: this.attributionValue,
          maxZoom: 19,
        }).addTo(this.map);
      }
      this.icon = L.icon(
        Object.assign({}, L.Icon.Default.prototype.options, {
          // Explicit URLs: Leaflet's guess from leaflet.css fails on hashed static file names.
          iconUrl: this.iconUrlValue,
          iconRetinaUrl: this.iconRetinaUrlValue,
          shadowUrl: this.shadowUrlValue,
        }),
      );
      if (position) {
        this.showPin(position);
      }
      this.map.on('click', (event) => this.place(event.latlng));
    }

    /* The position typed in the inputs, or null. */
    inputPosition() {
      const latitude = readNumber(this.latitudeInput, -90, 90);
      const longitude = readNumber(this.longitudeInput, -180, 180);
      return latitude === null || longitude === null ? null : [latitude, longitude];
    }

    showPin(position) {
      if (this.marker) {
        this.marker.setLatLng(position);
        return;
      }
      this.marker = window.L.marker(position, {
        draggable: true,
        icon: this.icon,
        title: this.pinLabelValue,
        alt: this.pinLabelValue,
      }).addTo(this.map);
      this.marker.on('dragend', () => this.place(this.marker.getLatLng()));
    }

    /* The curator put the pin here: move it, fill in the inputs, lock the coordinates. */
    place(latlng) {
      const wrapped = latlng.wrap();
      const position = [round(wrapped.lat), round(wrapped.lng)];
      this.showPin(position);
      this.writing = true;
      try {
        this.latitudeInput.value = String(position[0]);
        this.longitudeInput.value = String(position[1]);
        notify(this.latitudeInput);
        notify(this.longitudeInput);
        if (this.lockInput && !this.lockInput.checked) {
          this.lockInput.checked = true;
          notify(this.lockInput);
        }
      } finally {
        this.writing = false;
      }
      this.dispatch('placed', { detail: { latitude: position[0], longitude: position[1] } });
    }

    /* The curator typed in the latitude or longitude input. */
    onInput() {
      if (this.writing || !this.map) {
        return;
      }
      const position = this.inputPosition();
      if (position) {
        this.showPin(position);
        if (!this.map.getBounds().contains(position)) {
          this.map.panTo(position);
        }
        // Coordinates typed by hand are a pin placed by hand: geocoding must not replace them.
        if (this.lockInput && !this.lockInput.checked) {
          this.lockInput.checked = true;
          notify(this.lockInput);
        }
      } else if (
        this.marker &&
        this.latitudeInput.value.trim() === '' &&
        this.longitudeInput.value.trim() === ''
      ) {
        this.marker.remove();
        this.marker = null;
      }
    }
  }

  window.wagtail.app.register('pin-map', PinMapController);
})();
