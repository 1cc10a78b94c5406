/* Aduan's maps, all progressive enhancements (every page works without this file):

   - the report form: the latitude and longitude inputs are the real fields; this file
     fills them from the phone's location, from a photo's GPS position (read in the browser
     with exifr before upload; the server still strips it from the photo) or from a tap on
     a Leaflet map downloaded only when asked for. A point fills the region selects from
     the nearest known place, and choosing a region frames the map on it;
   - the public map (/peta/): clusters from /peta/data.json for the view, with a list of
     what is in view under it for keyboard and screen-reader users;
   - a report's page: its public point.

   Tiles come from a configurable server; when none can be reached the map stays grey but
   its points, pins and lists still work. No inline handlers; text never goes through
   innerHTML. */
(function () {
  "use strict";

  var textsElement = document.getElementById("map-texts");
  var TEXTS = textsElement ? JSON.parse(textsElement.textContent) : {};

  function text(name, fields) {
    var value = TEXTS[name] || "";
    Object.keys(fields || {}).forEach(function (key) {
      value = value.split("{" + key + "}").join(String(fields[key]));
    });
    return value;
  }

  function loadScript(src, done) {
    var existing = document.querySelector('script[data-src="' + src + '"]');
    if (existing) {
      if (existing.getAttribute("data-loaded")) {
        done();
      } else {
        existing.addEventListener("load", done);
      }
      return;
    }
    var script = document.createElement("script");
    script.src = src;
    script.setAttribute("data-src", src);
    script.addEventListener("load", function () {
      script.setAttribute("data-loaded", "1");
      done();
    });
    document.head.appendChild(script);
  }

  function loadStyle(href) {
    if (!href || document.querySelector('link[href="' + href + '"]')) {
      return;
    }
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.appendChild(link);
  }

  function tiles(L, map, block, status) {
    var layer = L.tileLayer(block.getAttribute("data-tile-url"), {
      maxZoom: 19,
      attribution: block.getAttribute("data-tile-attribution")
    }).addTo(map);
    var told = false;
    layer.on("tileerror", function () {
      if (!told && status) {
        told = true;
        status.textContent = text("tiles_failed");
      }
    });
  }

  function pointIcon(L) {
    return L.divIcon({ className: "map-point", iconSize: [18, 18], iconAnchor: [9, 9], popupAnchor: [0, -8] });
  }

  function inIndonesia(latitude, longitude) {
    return latitude >= -11.5 && latitude <= 6.5 && longitude >= 94 && longitude <= 141.5;
  }

  var INDONESIA = [-2.5, 118];

  /* ---------------------------------------------------------------- the report form */

  function reportForm(block) {
    var lat = document.getElementById("id_latitude");
    var lon = document.getElementById("id_longitude");
    var form = block.closest("form");
    if (!lat || !lon || !form) {
      return;
    }
    var status = block.querySelector("[data-locate-status]");
    var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-region-level]"));
    var childrenUrl = form.getAttribute("data-region-url");
    var fromPointUrl = block.getAttribute("data-region-from-point-url");
    var extentUrl = block.getAttribute("data-region-extent-url");
    var map = null;
    var marker = null;
    var regionTicket = 0;
    loadStyle(block.getAttribute("data-maps-css"));

    function say(message) {
      if (status) {
        status.textContent = message;
      }
    }

    function number(input) {
      var value = parseFloat((input.value || "").replace(",", "."));
      return isFinite(value) ? value : null;
    }

    function getJSON(url) {
      return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" }).then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok, data: data };
        });
      });
    }

    /* Put the options of region `code`'s children into `select`. */
    function loadChildren(select, code) {
      return getJSON(childrenUrl.replace("KODE", encodeURIComponent(code))).then(function (answer) {
        while (select.options.length > 1) {
          select.remove(1);
        }
        (answer.data.children || []).forEach(function (child) {
          select.add(new Option(child.name, child.code));
        });
        select.disabled = select.options.length < 2;
      });
    }

    /* A point fills the region selects: the province, regency and (where the nearest
       known place has one) district of the place nearest to it. Levels already chosen
       in agreement are kept, village included. */
    function fillRegions(latitude, longitude) {
      if (!fromPointUrl || !childrenUrl || selects.length < 2 || !window.fetch) {
        return;
      }
      var ticket = ++regionTicket;
      getJSON(fromPointUrl + "?lat=" + latitude.toFixed(6) + "&lon=" + longitude.toFixed(6))
        .then(function (answer) {
          if (ticket !== regionTicket) {
            return null;
          }
          if (!answer.ok) {
            say(text("region_outside"));
            return null;
          }
          var region = answer.data.region;
          if (!region) {
            say(text("region_unknown"));
            return null;
          }
          var codes = region.codes;
          var chain = Promise.resolve();
          codes.forEach(function (code, index) {
            chain = chain.then(function () {
              var select = selects[index];
              if (ticket !== regionTicket || !select || select.value === code) {
                return null;
              }
              var ready = Promise.resolve();
              if (index > 0 && !select.querySelector('option[value="' + code + '"]')) {
                ready = loadChildren(select, codes[index - 1]);
              }
              return ready.then(function () {
                select.disabled = false;
                select.value = code;
                var next = selects[index + 1];
                for (var i = index + 2; i < selects.length; i++) {
                  while (selects[i].options.length > 1) {
                    selects[i].remove(1);
                  }
                  selects[i].value = "";
                  selects[i].disabled = true;
                }
                return next ? loadChildren(next, code) : null;
              });
            });
          });
          return chain.then(function () {
            if (ticket === regionTicket) {
              say(text("region_filled", { reason: region.reason }));
            }
          });
        })
        .catch(function () {
          /* Offline: the point is kept, the region is chosen by hand. */
        });
    }

    function pin(latitude, longitude) {
      if (!map) {
        return;
      }
      if (marker) {
        marker.setLatLng([latitude, longitude]);
      } else {
        marker = window.L.marker([latitude, longitude], { draggable: true, keyboard: false }).addTo(map);
        marker.on("dragend", function () {
          var point = marker.getLatLng();
          setPoint(point.lat, point.lng, { move: false });
        });
      }
    }

    function setPoint(latitude, longitude, options) {
      lat.value = latitude.toFixed(6);
      lon.value = longitude.toFixed(6);
      if (map) {
        pin(latitude, longitude);
        if (!options || options.move !== false) {
          map.setView([latitude, longitude], Math.max(map.getZoom(), 16));
        }
      }
      fillRegions(latitude, longitude);
    }

    /* The phone's location. */
    var locate = block.querySelector("[data-locate]");
    if (locate && navigator.geolocation) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        locate.disabled = true;
        say(text("locating"));
        navigator.geolocation.getCurrentPosition(
          function (position) {
            locate.disabled = false;
            setPoint(position.coords.latitude, position.coords.longitude);
            say(text("located"));
          },
          function (error) {
            locate.disabled = false;
            say(error.message || "");
          },
          { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
        );
      });
    }

    /* A photo's GPS position, read here before the upload strips it. */
    var files = document.getElementById("id_attachments");
    var exifrUrl = block.getAttribute("data-exifr-js");
    var offer = block.querySelector("[data-photo-point]");
    if (files && exifrUrl && offer && window.Promise) {
      var offered = null;
      offer.querySelector("[data-photo-point-use]").addEventListener("click", function () {
        if (offered) {
          setPoint(offered.latitude, offered.longitude);
          offer.hidden = true;
          say(text("photo_used"));
        }
      });
      files.addEventListener("change", function () {
        var photos = Array.prototype.filter.call(files.files || [], function (file) {
          return /^image\/(jpeg|tiff)$/.test(file.type);
        });
        offer.hidden = true;
        offered = null;
        if (!photos.length) {
          return;
        }
        loadScript(exifrUrl, function () {
          var exifr = window.exifr;
          if (!exifr) {
            return;
          }
          var chain = Promise.resolve(null);
          photos.forEach(function (photo) {
            chain = chain.then(function (found) {
              if (found) {
                return found;
              }
              return exifr.gps(photo).then(
                function (gps) {
                  if (gps && isFinite(gps.latitude) && isFinite(gps.longitude) && inIndonesia(gps.latitude, gps.longitude)) {
                    return { latitude: gps.latitude, longitude: gps.longitude, name: photo.name };
                  }
                  return null;
                },
                function () {
                  return null;
                }
              );
            });
          });
          chain.then(function (found) {
            if (!found) {
              return;
            }
            offered = found;
            offer.querySelector("[data-photo-point-text]").textContent = text("photo_found", {
              name: found.name,
              latitude: found.latitude.toFixed(6),
              longitude: found.longitude.toFixed(6)
            });
            offer.hidden = false;
          });
        });
      });
    }

    /* Typed coordinates move the pin and fill the regions too. */
    [lat, lon].forEach(function (input) {
      input.addEventListener("change", function () {
        var latitude = number(lat);
        var longitude = number(lon);
        if (latitude !== null && longitude !== null) {
          if (map) {
            pin(latitude, longitude);
            map.setView([latitude, longitude], Math.max(map.getZoom(), 16));
          }
          fillRegions(latitude, longitude);
        }
      });
    });

    /* The deepest region chosen in the selects. */
    function chosenRegion() {
      var code = "";
      selects.forEach(function (select) {
        if (select.value && !select.disabled) {
          code = select.value;
        }
      });
      return code;
    }

    function frameRegion(code, done) {
      if (!code || !extentUrl || !window.fetch) {
        done(false);
        return;
      }
      getJSON(extentUrl.replace("KODE", encodeURIComponent(code)))
        .then(function (answer) {
          var bounds = answer.ok && answer.data.bounds;
          if (bounds && map) {
            map.fitBounds(bounds, { maxZoom: 13, padding: [16, 16] });
          }
          done(Boolean(bounds));
        })
        .catch(function () {
          done(false);
        });
    }

    /* Choosing a region (by hand) frames the map on it. Points fill the selects without
       "change" events, so the two never chase each other. */
    selects.forEach(function (select) {
      select.addEventListener("change", function () {
        if (map) {
          frameRegion(chosenRegion(), function () {});
        }
      });
    });

    var open = block.querySelector("[data-map-open]");
    if (!open || !block.hasAttribute("data-map")) {
      return;
    }
    open.hidden = false;

    function start() {
      var L = window.L;
      if (!L) {
        return;
      }
      var canvas = block.querySelector("[data-map-canvas]");
      canvas.hidden = false;
      var latitude = number(lat);
      var longitude = number(lon);
      var known = latitude !== null && longitude !== null;
      map = L.map(canvas);
      if (known) {
        map.setView([latitude, longitude], 16);
      } else {
        /* The form opens on the chosen region, else on the whole of Indonesia. */
        map.setView(INDONESIA, 5);
        frameRegion(chosenRegion(), function () {});
      }
      tiles(L, map, block, status);
      if (known) {
        pin(latitude, longitude);
      }
      map.on("click", function (event) {
        setPoint(event.latlng.lat, event.latlng.lng, { move: false });
      });
      /* By keyboard: move the map with the arrow keys, Enter marks its centre. */
      map.on("keypress", function (event) {
        if (event.originalEvent.key === "Enter" && event.originalEvent.target === canvas) {
          event.originalEvent.preventDefault();
          var centre = map.getCenter();
          setPoint(centre.lat, centre.lng, { move: false });
        }
      });
      open.hidden = true;
    }

    open.addEventListener("click", function () {
      open.disabled = true;
      loadStyle(block.getAttribute("data-leaflet-css"));
      loadScript(block.getAttribute("data-leaflet-js"), start);
    });
  }

  /* ---------------------------------------------------------------- the public map */

  function publicMap(block) {
    var canvas = block.querySelector("[data-map-canvas]");
    var status = block.querySelector("[data-map-status]");
    var list = block.querySelector("[data-map-list]");
    var listTitle = block.querySelector("[data-map-list-title]");
    var query = block.getAttribute("data-query") || "";
    var dataUrl = block.getAttribute("data-data-url");
    var listUrl = block.getAttribute("data-list-url") + (query ? "?" + query : "");

    function start() {
      var L = window.L;
      if (!L || !window.fetch) {
        return;
      }
      block.querySelector("[data-map-nojs]").hidden = true;
      canvas.hidden = false;
      canvas.setAttribute("aria-label", text("map_label"));
      var map = L.map(canvas, { minZoom: 3, maxZoom: 18 });
      var extent = (block.getAttribute("data-extent") || "").split(",").map(parseFloat);
      var centre = /[?&]pusat=(-?[\d.]+),(-?[\d.]+)/.exec(window.location.search);
      if (centre) {
        map.setView([parseFloat(centre[1]), parseFloat(centre[2])], 15);
      } else if (extent.length === 4 && extent.every(isFinite)) {
        map.fitBounds([[extent[0], extent[1]], [extent[2], extent[3]]], { maxZoom: 12 });
      } else {
        map.setView(INDONESIA, canvas.clientWidth < 600 ? 4 : 5);
      }
      var tilesStatus = document.createElement("p");
      tilesStatus.className = "help";
      canvas.parentNode.insertBefore(tilesStatus, canvas.nextSibling);
      tiles(L, map, block, tilesStatus);
      var layer = L.layerGroup().addTo(map);
      var ticket = 0;
      var timer = null;

      function openCluster(feature, marker) {
        var p = feature.properties;
        var zoom = map.getZoom();
        var sw = p.bounds[0];
        var ne = p.bounds[1];
        var samePlace = Math.abs(ne[0] - sw[0]) < 1e-5 && Math.abs(ne[1] - sw[1]) < 1e-5;
        if (zoom < map.getMaxZoom() && !samePlace) {
          map.fitBounds(p.bounds, { maxZoom: Math.min(zoom + 3, map.getMaxZoom()), padding: [24, 24] });
          return;
        }
        var box = document.createElement("div");
        var heading = document.createElement("p");
        heading.className = "map-popup-title";
        heading.textContent = text("cluster_here", { count: p.count });
        box.appendChild(heading);
        var items = document.createElement("ul");
        p.reports.forEach(function (report) {
          var item = document.createElement("li");
          item.appendChild(reportLink(report));
          items.appendChild(item);
        });
        box.appendChild(items);
        if (p.reports.length < p.count) {
          var more = document.createElement("a");
          more.href = listUrl;
          more.textContent = text("cluster_more");
          box.appendChild(more);
        }
        marker.bindPopup(box).openPopup();
      }

      function reportLink(report) {
        var link = document.createElement("a");
        link.href = report.url;
        link.textContent = text("point", { title: report.title, status: report.status_label });
        return link;
      }

      function render(data) {
        layer.clearLayers();
        while (list.firstChild) {
          list.removeChild(list.firstChild);
        }
        data.features.forEach(function (feature) {
          var p = feature.properties;
          var position = [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
          var item = document.createElement("li");
          var marker;
          var label;
          if (p.count === 1 && p.reports.length === 1) {
            var report = p.reports[0];
            label = text("point", { title: report.title, status: report.status_label });
            marker = L.marker(position, { icon: pointIcon(L), title: label, keyboard: true });
            var popup = document.createElement("div");
            popup.appendChild(reportLink(report));
            marker.bindPopup(popup);
            item.appendChild(reportLink(report));
          } else {
            var size = p.count < 10 ? 32 : p.count < 100 ? 38 : p.count < 1000 ? 44 : 52;
            label = text("cluster", { count: p.count });
            marker = L.marker(position, {
              icon: L.divIcon({
                className: "map-cluster",
                html: "<span>" + String(Number(p.count)) + "</span>",
                iconSize: [size, size],
                iconAnchor: [size / 2, size / 2]
              }),
              title: label,
              keyboard: true
            });
            marker.on("click", function () {
              openCluster(feature, marker);
            });
            /* Leaflet turns Enter into a click only for markers with a popup. */
            marker.on("keypress", function (event) {
              if (event.originalEvent.key === "Enter" && !marker.getPopup()) {
                openCluster(feature, marker);
              }
            });
            var button = document.createElement("button");
            button.type = "button";
            button.className = "link-button";
            button.textContent = label;
            button.addEventListener("click", function () {
              openCluster(feature, marker);
              canvas.focus();
            });
            item.appendChild(button);
          }
          marker.addTo(layer);
          var element = marker.getElement();
          if (element) {
            element.setAttribute("role", "button");
            element.setAttribute("aria-label", label);
          }
          list.appendChild(item);
        });
        listTitle.hidden = data.features.length === 0;
        status.textContent = data.total
          ? text("shown", { total: data.total, groups: data.features.length })
          : text("none");
      }

      function refresh() {
        var mine = ++ticket;
        status.textContent = text("loading");
        var url =
          dataUrl + "?" + (query ? query + "&" : "") +
          "bbox=" + encodeURIComponent(map.getBounds().toBBoxString()) +
          "&zoom=" + map.getZoom();
        fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (response) {
            if (!response.ok) {
              throw new Error(response.status);
            }
            return response.json();
          })
          .then(function (data) {
            if (mine === ticket) {
              render(data);
            }
          })
          .catch(function () {
            if (mine === ticket) {
              status.textContent = text("failed");
            }
          });
      }

      map.on("moveend", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(refresh, 200);
      });
      refresh();
    }

    loadScript(block.getAttribute("data-leaflet-js"), start);
  }

  /* ---------------------------------------------------------------- a report's point */

  function pointMap(canvas) {
    loadScript(canvas.getAttribute("data-leaflet-js"), function () {
      var L = window.L;
      if (!L) {
        return;
      }
      canvas.hidden = false;
      var position = [parseFloat(canvas.getAttribute("data-latitude")), parseFloat(canvas.getAttribute("data-longitude"))];
      var map = L.map(canvas, { scrollWheelZoom: false }).setView(position, 16);
      tiles(L, map, canvas, null);
      L.marker(position, { icon: pointIcon(L), title: canvas.getAttribute("data-label"), keyboard: false }).addTo(map);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll(".map-block"), reportForm);
  Array.prototype.forEach.call(document.querySelectorAll("[data-public-map]"), publicMap);
  Array.prototype.forEach.call(document.querySelectorAll("[data-point-map]"), pointMap);
})();
