"""The names of the staff groups, which every part of Répertoire may refer to.

Review creates the groups and gives them their permissions (``review.services.roles_and_workflow_ensure``);
the records, the imports and the site only name them: an import writes to the curators, a list
filters by curators and editors.
"""

CURATORS = "Curators"
EDITORS = "Editors"
ADMINISTRATORS = "Administrators"
