// Recording a request: as the agent types, say which territory and which need were understood
// and list the organisations to give for that need there (portraits/admin_views.py, lookup).
// Without this script the form works the same through its « Find organisations » button.
(() => {
    "use strict";
    const form = document.querySelector("[data-request-form]");
    if (!form) return;
    form.classList.add("request-form--scripted");
    const texts = form.dataset;
    const placeInput = form.querySelector("[data-place-input]");
    const placeOut = form.querySelector("[data-place-understood]");
    const slots = [...form.querySelectorAll("[data-need-slot]")];
    const SUGGESTIONS = 5;

    const debounce = (work, ms) => {
        let timer;
        return () => {
            clearTimeout(timer);
            timer = setTimeout(work, ms);
        };
    };

    const ask = async (params) => {
        try {
            const response = await fetch(`${texts.lookupUrl}?${new URLSearchParams(params)}`, {
                credentials: "same-origin",
                headers: { Accept: "application/json" },
            });
            return response.ok ? await response.json() : null;
        } catch {
            return null; // offline for a moment: the form still saves, the server checks it all
        }
    };

    const element = (tag, attributes = {}, ...children) => {
        const node = document.createElement(tag);
        for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
        node.append(...children);
        return node;
    };

    const sayUnderstood = (out, label, others, error) => {
        out.replaceChildren();
        if (label) {
            out.append(`${texts.textUnderstood} `, element("strong", {}, label));
            if (others && others.length) {
                out.append(" ", element("span", { class: "request-form__also" }, `(${texts.textAlso} ${others.join(", ")})`));
            }
        } else if (error) {
            out.append(error);
        }
    };

    // --- The territory ------------------------------------------------------------------------
    let placeAsked = 0;
    const refreshPlace = async () => {
        const asked = ++placeAsked;
        const text = placeInput.value.trim();
        if (!text) {
            placeOut.replaceChildren();
        } else {
            const answer = await ask({ territory: text });
            if (!answer || asked !== placeAsked) return;
            sayUnderstood(placeOut, answer.place.label, [], answer.place.error);
        }
        for (const slot of slots) if (slot.refresh) slot.refresh();
    };
    placeInput.addEventListener("input", debounce(refreshPlace, 250));

    // --- The needs ----------------------------------------------------------------------------
    const reveal = () => {
        // Every slot up to the first empty one after the last filled: one empty slot waits.
        let last = -1;
        slots.forEach((slot, index) => {
            const filled = slot.querySelector("[data-need-input]").value.trim() || slot.querySelector(".w-field--error");
            if (filled) last = index;
        });
        slots.forEach((slot, index) => {
            slot.hidden = index > last + 1;
        });
    };

    for (const slot of slots) {
        const input = slot.querySelector("[data-need-input]");
        const out = slot.querySelector("[data-need-understood]");
        const result = slot.querySelector("select");
        const box = slot.querySelector("[data-organisations]");
        const list = slot.querySelector("[data-organisation-list]");
        const name = input.name.replace(/-need$/, "-organisations");
        let asked = 0;
        let more = false;

        const showOrganisations = () => {
            box.hidden = result.value !== "referred";
        };

        const ticked = () => {
            const found = new Map();
            for (const box of list.querySelectorAll("input[type=checkbox]:checked")) {
                found.set(box.value, box.closest("label").querySelector(".request-need__name").textContent);
            }
            return found;
        };

        const choice = (id, label, detail, checked) => {
            const box = element("input", { type: "checkbox", name, value: String(id) });
            box.checked = checked;
            const parts = [box, " ", element("span", { class: "request-need__name" }, label)];
            if (detail) parts.push(" ", element("span", { class: "request-need__detail" }, detail));
            return element("li", {}, element("label", {}, ...parts));
        };

        const show = (answer) => {
            const kept = ticked();
            const organisations = answer.organisations || [];
            const children = [];
            if (answer.elsewhere) children.push(element("p", { class: "help" }, texts.textElsewhere));
            const items = [];
            const shown = new Set(organisations.map((o) => String(o.id)));
            for (const [id, label] of kept) if (!shown.has(id)) items.push(choice(id, label, "", true));
            for (const o of organisations) {
                const detail = [o.detail, o.phone].filter(Boolean).join(" · ");
                items.push(choice(o.id, o.name, detail, kept.has(String(o.id))));
            }
            if (items.length) {
                children.push(element("ul", { class: "request-need__choices" }, ...items));
            } else if (answer.need && answer.need.label) {
                children.push(element("p", { class: "help" }, texts.textNone));
            } else {
                children.push(element("p", { class: "help" }, texts.textTypeNeed));
            }
            if (organisations.length >= SUGGESTIONS && !more) {
                const button = element("button", { type: "button", class: "button button-small button-secondary" }, texts.textMore);
                button.addEventListener("click", () => {
                    more = true;
                    slot.refresh();
                });
                children.push(button);
            }
            list.replaceChildren(...children);
        };

        slot.refresh = async () => {
            const text = input.value.trim();
            const mine = ++asked;
            if (!text) {
                out.replaceChildren();
                if (!ticked().size) list.replaceChildren(element("p", { class: "help" }, texts.textTypeNeed));
                return;
            }
            const params = { territory: placeInput.value.trim(), need: text };
            if (more) params.more = "1";
            const answer = await ask(params);
            if (!answer || mine !== asked || !answer.need) return;
            sayUnderstood(out, answer.need.label, answer.need.others, answer.need.error);
            show(answer);
        };

        // The server's « More organisations » button, when the page came back with suggestions.
        list.addEventListener("click", (event) => {
            if (event.target.matches("[data-more]")) {
                event.preventDefault();
                more = true;
                slot.refresh();
            }
        });

        input.addEventListener(
            "input",
            debounce(() => {
                more = false;
                slot.refresh();
            }, 250),
        );
        input.addEventListener("input", reveal);
        result.addEventListener("change", showOrganisations);
        showOrganisations();
    }
    reveal();

    // A form sent back with mistakes: the first one has the focus, not the territory box.
    const mistake = form.querySelector(
        "[aria-invalid=true], .w-field--error input:not([type=hidden]), .w-field--error select",
    );
    if (mistake) mistake.focus();

    // --- Keys -----------------------------------------------------------------------------------
    form.addEventListener("keydown", (event) => {
        if (event.key !== "Enter") return;
        if (event.ctrlKey || event.metaKey) {
            event.preventDefault();
            form.requestSubmit(form.querySelector("[data-save]"));
        } else if (event.target.matches("[data-need-input], [data-place-input]")) {
            // Enter picks from the list the box offers; saving is Ctrl+Enter or the button.
            event.preventDefault();
        }
    });
})();
