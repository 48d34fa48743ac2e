/* dxmonitor data entry: live rates, saving each cell when the user leaves it (through htmx),
   and submitting only once every save has finished. No framework; the form works without it. */
(function () {
  "use strict";

  // Numbers as officials type them; the same rules as dxmonitor.common.numbers.parse_number.
  var VN_GROUPED = /^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$/;
  var EN_GROUPED = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/;
  var VN_DECIMAL = /^[+-]?\d+,\d+$/;
  var PLAIN = /^[+-]?\d+(\.\d+)?$/;

  /* "1.234,5" → 1234.5, "24,3%" → 24.3, "4.306" → 4306; "" → null; anything else → NaN. */
  function parseNumber(text) {
    var raw = String(text == null ? "" : text).trim().replace(/\u00a0/g, " ").replace(/ /g, "");
    if (raw.slice(-1) === "%") raw = raw.slice(0, -1);
    if (!raw) return null;
    if (VN_GROUPED.test(raw)) return parseFloat(raw.replace(/\./g, "").replace(",", "."));
    if (EN_GROUPED.test(raw) && raw.indexOf(".") >= 0) return parseFloat(raw.replace(/,/g, ""));
    if (VN_DECIMAL.test(raw)) return parseFloat(raw.replace(",", "."));
    if (PLAIN.test(raw)) return parseFloat(raw);
    return NaN;
  }

  /* 1234.5 → "1.234,5"; at most `decimals` decimals, trailing zeros dropped. */
  function formatNumber(number, decimals) {
    var fixed = Math.abs(number).toFixed(decimals).replace(/\.?0+$/, "");
    var parts = fixed.split(".");
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    return (number < 0 ? "-" : "") + whole + (parts[1] ? "," + parts[1] : "");
  }

  function part(cell, name) {
    return cell.querySelector('[data-part="' + name + '"]');
  }

  /* The rate of a numerator/denominator cell, shown as the user types. */
  function updateRate(cell) {
    if (!cell.hasAttribute("data-ratio")) return;
    var top = part(cell, "n"), bottom = part(cell, "d"), direct = part(cell, "v");
    var output = cell.querySelector("output.rate");
    if (!top || !bottom || !output) return;
    var a = parseNumber(top.value), b = parseNumber(bottom.value);
    var percent = cell.hasAttribute("data-percent");
    output.classList.remove("warn");
    if (a === null || b === null) {
      output.textContent = "";
      setComputed(direct, null);
      return;
    }
    if (isNaN(a) || isNaN(b)) {
      output.textContent = output.getAttribute("data-nan");
      output.classList.add("warn");
      return;
    }
    if (b <= 0) {
      output.textContent = "";
      return;
    }
    var rate = (100 * a) / b;
    output.textContent = "= " + formatNumber(rate, 2) + (percent ? "%" : "");
    if (percent && a > b) {
      output.textContent += " · " + output.getAttribute("data-over");
      output.classList.add("warn");
    }
    setComputed(direct, formatNumber(rate, 2));
  }

  /* The rate box shows the computed rate, read-only and out of the Tab order, while both parts
     are filled; it is typed into only when the parts are empty. */
  function setComputed(direct, text) {
    if (!direct) return;
    if (text === null) {
      direct.readOnly = false;
      direct.removeAttribute("tabindex");
      return;
    }
    direct.value = text;
    direct.readOnly = true;
    direct.tabIndex = -1;
  }

  function cellOf(element) {
    return element && element.closest ? element.closest(".cell[data-editable]") : null;
  }

  function save(cell) {
    if (!cell.hasAttribute("data-dirty")) return;
    cell.removeAttribute("data-dirty");
    window.htmx.trigger(cell, "dx:save");
  }

  document.addEventListener("input", function (event) {
    var cell = cellOf(event.target);
    if (!cell) return;
    cell.setAttribute("data-dirty", "");
    updateRate(cell);
  });

  document.addEventListener("change", function (event) {
    var cell = cellOf(event.target);
    if (cell) cell.setAttribute("data-dirty", "");
  });

  // A cell saves when the focus leaves it (not when it moves between its own inputs).
  document.addEventListener("focusout", function (event) {
    var cell = cellOf(event.target);
    if (!cell || (event.relatedTarget && cell.contains(event.relatedTarget))) return;
    save(cell);
  });

  // Enter moves on to the next box, as in a spreadsheet, instead of sending the whole form.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !cellOf(event.target) || event.target.tagName !== "INPUT") return;
    event.preventDefault();
    var inputs = Array.prototype.slice.call(
      document.querySelectorAll(".cell[data-editable] input.num:not([readonly])")
    );
    var next = inputs[inputs.indexOf(event.target) + 1];
    if (next) next.focus();
    else event.target.blur();
  });

  // A cell typed into again while its save was under way keeps what the user typed.
  var kept = {};
  document.addEventListener("htmx:beforeSwap", function (event) {
    var cell = event.detail.target;
    if (!cell || !cell.matches || !cell.matches(".cell[data-editable]") || !cell.hasAttribute("data-dirty")) return;
    var values = {};
    cell.querySelectorAll("input.num").forEach(function (input) {
      values[input.name] = input.value;
    });
    kept[cell.id] = values;
  });
  document.addEventListener("htmx:afterSettle", function () {
    Object.keys(kept).forEach(function (id) {
      var cell = document.getElementById(id);
      var values = kept[id];
      delete kept[id];
      if (!cell || !cell.hasAttribute("data-editable")) return;
      cell.querySelectorAll("input.num").forEach(function (input) {
        if (input.name in values) input.value = values[input.name];
      });
      cell.setAttribute("data-dirty", "");
      updateRate(cell);
    });
    document.querySelectorAll(".cell[data-ratio]").forEach(updateRate);
  });

  // Submitting waits for every cell's save, so that nothing typed is lost on the way.
  function pending() {
    return document.querySelector(".cell.htmx-request, .cell[data-dirty]") !== null;
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-wait-saves")) return;
    document.querySelectorAll(".cell[data-dirty]").forEach(save);
    if (!pending()) return;
    event.preventDefault();
    var button = event.submitter;
    if (button) button.disabled = true;
    var wait = function () {
      if (pending()) return;
      document.removeEventListener("htmx:afterSettle", wait);
      if (button) button.disabled = false;
      form.submit();
    };
    document.addEventListener("htmx:afterSettle", wait);
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".cell[data-ratio]").forEach(updateRate);
  });

  window.dxEntry = { parseNumber: parseNumber, formatNumber: formatNumber, updateRate: updateRate };
})();
