/* The optional location pin of the report form. The latitude and longitude inputs are the
   real fields; this file only fills them: from the phone's location ("Gunakan lokasi
   saya"), or from a tap on a Leaflet map that is downloaded only when asked for. If the
   tile server cannot be reached the map stays grey but the pin still works. */
(function () {
  "use strict";

  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  if (!lat || !lon) {
    return;
  }
  var status = document.querySelector("[data-locate-status]");
  var onPosition = null; /* set once the map exists, to move its pin */

  function setInputs(latitude, longitude) {
    lat.value = latitude.toFixed(6);
    lon.value = longitude.toFixed(6);
    if (onPosition) {
      onPosition(latitude, longitude);
    }
  }

  var locate = document.querySelector("[data-locate]");
  if (locate && navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      locate.disabled = true;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          locate.disabled = false;
          setInputs(position.coords.latitude, position.coords.longitude);
          if (status) {
            status.textContent = "";
          }
        },
        function (error) {
          locate.disabled = false;
          if (status) {
            status.textContent = error.message || "";
          }
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  }

  var block = document.querySelector("[data-map]");
  var open = block && block.querySelector("[data-map-open]");
  if (!open) {
    return;
  }
  open.hidden = false;

  function load(tag, attributes, done) {
    var element = document.createElement(tag);
    Object.keys(attributes).forEach(function (key) {
      element.setAttribute(key, attributes[key]);
    });
    if (done) {
      element.addEventListener("load", done);
    }
    document.head.appendChild(element);
  }

  function number(input) {
    var value = parseFloat((input.value || "").replace(",", "."));
    return isFinite(value) ? value : null;
  }

  function start() {
    var L = window.L;
    if (!L) {
      return;
    }
    var canvas = block.querySelector("[data-map-canvas]");
    canvas.hidden = false;
    var known = number(lat) !== null && number(lon) !== null;
    /* Without a point yet, show the whole of Indonesia. */
    var map = L.map(canvas).setView(known ? [number(lat), number(lon)] : [-2.5, 118], known ? 16 : 5);
    L.tileLayer(block.getAttribute("data-tile-url"), {
      maxZoom: 19,
      attribution: block.getAttribute("data-tile-attribution")
    }).addTo(map);
    var marker = null;

    function pin(latitude, longitude) {
      if (marker) {
        marker.setLatLng([latitude, longitude]);
      } else {
        marker = L.marker([latitude, longitude], { draggable: true }).addTo(map);
        marker.on("dragend", function () {
          var point = marker.getLatLng();
          lat.value = point.lat.toFixed(6);
          lon.value = point.lng.toFixed(6);
        });
      }
    }

    onPosition = function (latitude, longitude) {
      pin(latitude, longitude);
      map.setView([latitude, longitude], Math.max(map.getZoom(), 16));
    };
    if (known) {
      pin(number(lat), number(lon));
    }
    map.on("click", function (event) {
      pin(event.latlng.lat, event.latlng.lng);
      lat.value = event.latlng.lat.toFixed(6);
      lon.value = event.latlng.lng.toFixed(6);
    });
    [lat, lon].forEach(function (input) {
      input.addEventListener("change", function () {
        if (number(lat) !== null && number(lon) !== null) {
          onPosition(number(lat), number(lon));
        }
      });
    });
    open.hidden = true;
  }

  open.addEventListener("click", function () {
    open.disabled = true;
    load("link", { rel: "stylesheet", href: block.getAttribute("data-leaflet-css") });
    load("script", { src: block.getAttribute("data-leaflet-js") }, start);
  });
})();
