// No lost update (issue 17): Wagtail's autosave writes a revision of this form while the person
// types and keeps its id on the form (data-w-autosave-revision-id-value) for the next autosave,
// but a click on Save does not send it. Sent with every submission of the form, it lets the
// server tell this form's own autosaved revision from a revision saved since by anyone else
// (organisations/edit_views.py). The "formdata" event fires for a submit button, for
// form.submit() and for Wagtail's own FormData of the form.
(() => {
  const form = document.querySelector("form[data-edit-form]");
  if (!form) return;
  form.addEventListener("formdata", (event) => {
    const id = form.dataset.wAutosaveRevisionIdValue;
    if (id && id !== "0") event.formData.set("autosaved_revision_id", id);
  });
})();
