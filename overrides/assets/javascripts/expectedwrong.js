/* expectedwrong: search, loaded when the reader first opens it.

   Material's bundle (about 35 KB gzip, plus its search worker and index) is
   loaded the first time the reader opens search, not with every page. Until
   then this file opens and closes search from the keyboard, as the bundle
   would; once the bundle has loaded, it handles the keys and this file stands
   back. The script tag carries the bundle's address in data-material
   (hooks/material_bundle.py). The colour scheme is switched by the script in
   partials/ew-palette.html. */
(function () {
  "use strict";

  var bundle = document.currentScript.getAttribute("data-material");
  var search = document.getElementById("__search");
  var query = document.querySelector(".md-search__input");
  var dialog = document.querySelector(".md-search");
  var button = document.querySelector(".ew-search-button");
  var loading = null;
  var loaded = false;

  /* Material's stylesheet keeps search out of a page without JavaScript
     (.no-js); the bundle lifts that when it starts, and so does this. */
  document.documentElement.classList.remove("no-js");

  function loadMaterial() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = bundle;
        script.onload = function () {
          loaded = true;
          /* The bundle mounts its page components (search highlighting,
             code copy buttons, ...) when its document$ emits, which it does
             on DOMContentLoaded. Loaded later than that, it is told here,
             once, the way its instant navigation tells it of a new page. */
          if (document.readyState !== "loading") window.document$.next(document);
          resolve();
        };
        script.onerror = reject;
        document.body.appendChild(script);
      });
    }
    return loading;
  }

  /* Open the dialog and put the cursor in the field at once: what the reader
     types before the bundle has loaded is searched when it has. The toggle
     is clicked, as Material's bundle does, so that its change event fires. */
  function openSearch() {
    if (!search.checked) search.click();
    query.focus();
    loadMaterial();
  }

  function closeSearch() {
    if (search.checked) search.click();
  }

  function typing(target) {
    return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) &&
      !(target.type === "radio" || target.type === "checkbox");
  }

  /* The header's search button; the search field loads the bundle too. */
  button.addEventListener("click", openSearch);
  query.addEventListener("focus", loadMaterial);

  /* Closed (by Escape, the overlay or Material's back arrow): focus goes
     back to the button that opened it, not to the top of the page. */
  search.addEventListener("change", function () {
    if (search.checked) return;
    var active = document.activeElement;
    if (!active || active === document.body || dialog.contains(active)) button.focus();
  });

  /* Material's shortcuts: "/", "s" or "f" open search, Escape closes it. */
  document.addEventListener("keydown", function (event) {
    if (loaded || event.ctrlKey || event.metaKey || event.altKey) return;
    if (search.checked && event.key === "Escape") {
      event.preventDefault();
      closeSearch();
    } else if (!search.checked && !typing(event.target) && /^[/sf]$/i.test(event.key)) {
      event.preventDefault();
      openSearch();
    }
  });

  /* A page opened from a search result highlights the terms (?h=...). */
  if (new URLSearchParams(location.search).has("h")) loadMaterial();
})();
