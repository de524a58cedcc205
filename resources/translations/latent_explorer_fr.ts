<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR" sourcelanguage="en">
<context>
    <name>Autosave</name>
    <message>
        <source>Crash protection is off</source>
        <translation>La protection contre les plantages est désactivée</translation>
    </message>
    <message>
        <source>The model in training cannot be saved automatically ({error}). If the app crashes now, the training since the last save is lost. Free some disk space, or save the model yourself (File → Save model as) when training ends.</source>
        <translation>Le modèle en cours d&apos;entraînement ne peut pas être enregistré automatiquement ({error}). Si l&apos;application plante maintenant, l&apos;entraînement depuis le dernier enregistrement est perdu. Libérez de l&apos;espace disque, ou enregistrez le modèle vous-même (Fichier → Enregistrer le modèle sous) à la fin de l&apos;entraînement.</translation>
    </message>
    <message>
        <source>{kind}, latent {d}, {n} epoch(s) — {when}</source>
        <translation>{kind}, dim. latente {d}, {n} époque(s) — {when}</translation>
    </message>
</context>
<context>
    <name>BrushTools</name>
    <message>
        <source>Brush diameter, in pixels of the 28×28 image.</source>
        <translation>Diamètre du pinceau, en pixels de l’image 28×28.</translation>
    </message>
    <message>
        <source>0: a hard-edged brush; 100: ink fades from its centre.</source>
        <translation>0 : un pinceau à bord net ; 100 : l’encre s’estompe depuis son centre.</translation>
    </message>
    <message>
        <source>Eraser</source>
        <translation>Gomme</translation>
    </message>
    <message>
        <source>Strokes remove ink (the right mouse button always does).</source>
        <translation>Les traits effacent l’encre (le bouton droit de la souris le fait toujours).</translation>
    </message>
    <message>
        <source>Brush</source>
        <translation>Pinceau</translation>
    </message>
    <message>
        <source>Softness</source>
        <translation>Douceur</translation>
    </message>
</context>
<context>
    <name>CodePane</name>
    <message>
        <source>Random</source>
        <translation>Au hasard</translation>
    </message>
    <message>
        <source>A random code: from N(0, I) for the VAE, from the codes&apos; spread for the AE.</source>
        <translation>Un code au hasard&#xa0;: selon N(0, I) pour le VAE, selon la dispersion des codes pour l&apos;AE.</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>Réinitialiser</translation>
    </message>
    <message>
        <source>Every slider to the mean of the test images&apos; codes.</source>
        <translation>Chaque curseur à la moyenne des codes des images de test.</translation>
    </message>
    <message>
        <source>From selected image</source>
        <translation>Image choisie</translation>
    </message>
</context>
<context>
    <name>ComparePanel</name>
    <message>
        <source>PCA, both on the same axes</source>
        <translation>PCA, les deux sur les mêmes axes</translation>
    </message>
    <message>
        <source>t-SNE (forms live from PCA)</source>
        <translation>t-SNE (se forme en direct depuis la PCA)</translation>
    </message>
    <message>
        <source>t-SNE (scikit-learn, as in the lab)</source>
        <translation>t-SNE (scikit-learn, comme dans le TP)</translation>
    </message>
    <message>
        <source>AE: codes z</source>
        <translation>AE&#xa0;: codes z</translation>
    </message>
    <message>
        <source>VAE: means μ</source>
        <translation>VAE&#xa0;: moyennes μ</translation>
    </message>
    <message>
        <source>The lab&apos;s question, answered: the same {n} test images, coloured by class. The AE places its classes wherever reconstruction is easiest — separate islands with empty space between them, where decoded points mean nothing. The VAE&apos;s KL term pulls every code towards N(0, I): its classes are packed around the origin into one continuous space, so any point in between decodes to something plausible, and interpolation and generation work.</source>
        <translation>La question du TP, en images&#xa0;: les mêmes {n} images de test, colorées par classe. L&apos;AE place ses classes là où la reconstruction est la plus facile — des îlots séparés par des zones vides, où les points décodés ne veulent rien dire. Le terme KL du VAE attire chaque code vers N(0, I)&#xa0;: ses classes se serrent autour de l&apos;origine dans un seul espace continu, si bien que tout point intermédiaire se décode en une image plausible&#xa0;; l&apos;interpolation et la génération fonctionnent.</translation>
    </message>
    <message>
        <source>AE</source>
        <translation>AE</translation>
    </message>
    <message>
        <source>VAE</source>
        <translation>VAE</translation>
    </message>
    <message>
        <source>Map</source>
        <translation>Carte</translation>
    </message>
    <message>
        <source>Open or train an {k} to compare.</source>
        <translation>Ouvrez ou entraînez un {k} pour comparer.</translation>
    </message>
    <message>
        <source>Needs the Fashion-MNIST test images.</source>
        <translation>Il faut les images de test de Fashion-MNIST.</translation>
    </message>
    <message>
        <source>Encoding…</source>
        <translation>Encodage…</translation>
    </message>
    <message>
        <source>PCA shown; the lab&apos;s t-SNE after training.</source>
        <translation>PCA affichée&#xa0;; le t-SNE du TP après l&apos;entraînement.</translation>
    </message>
    <message>
        <source>PCA keeps distances: both maps share the same axes and scale, so you see how far the AE spreads its codes and how tightly the VAE packs them around 0. Choose t-SNE above to see the neighbourhoods instead.</source>
        <translation>La PCA garde les distances&#xa0;: les deux cartes ont les mêmes axes et la même échelle, on voit jusqu&apos;où l&apos;AE étale ses codes et combien le VAE les serre autour de 0. Choisissez t-SNE plus haut pour voir plutôt les voisinages.</translation>
    </message>
    <message>
        <source>t-SNE keeps only who is next to whom: each map is stretched to fill its box, and the sizes of clusters and the gaps between them mean nothing. So both models look like islands here — the VAE&apos;s packing around 0 shows only in PCA (and in the mean distance below).</source>
        <translation>Le t-SNE ne garde que qui est voisin de qui&#xa0;: chaque carte est étirée pour remplir son cadre, et la taille des groupes comme les vides entre eux ne veulent rien dire. Les deux modèles ont donc l&apos;air d&apos;îles ici — le VAE ne se montre serré autour de 0 qu&apos;en PCA (et dans la distance moyenne ci-dessous).</translation>
    </message>
    <message>
        <source>Could not compute the map: {m}</source>
        <translation>Impossible de calculer la carte&#xa0;: {m}</translation>
    </message>
    <message>
        <source>principal axis 1</source>
        <translation>axe principal 1</translation>
    </message>
    <message>
        <source>t-SNE 1 (no unit)</source>
        <translation>t-SNE 1 (sans unité)</translation>
    </message>
    <message>
        <source>principal axis 2</source>
        <translation>axe principal 2</translation>
    </message>
    <message>
        <source>t-SNE 2 (no unit)</source>
        <translation>t-SNE 2 (sans unité)</translation>
    </message>
    <message>
        <source>{m} of {n} codes; mean distance of a code from the centre: {s:.2f}</source>
        <translation>{m} de {n} codes&#xa0;; distance moyenne d&apos;un code au centre&#xa0;: {s:.2f}</translation>
    </message>
</context>
<context>
    <name>CrashReporter</name>
    <message>
        <source>Unexpected error</source>
        <translation>Erreur inattendue</translation>
    </message>
    <message>
        <source>Latent Explorer ran into an error it did not expect:

{error}</source>
        <translation>Latent Explorer a rencontré une erreur inattendue&#xa0;:

{error}</translation>
    </message>
    <message>
        <source>Open log folder</source>
        <translation>Ouvrir le dossier du journal</translation>
    </message>
    <message>
        <source>The app carries on, but what it was doing may not have finished: save your models.</source>
        <translation>L&apos;application continue, mais ce qu&apos;elle était en train de faire n&apos;est peut-être pas terminé&#xa0;: enregistrez vos modèles.</translation>
    </message>
    <message>
        <source>The details are in the log file:
{path}</source>
        <translation>Les détails se trouvent dans le fichier journal&#xa0;:
{path}</translation>
    </message>
    <message>
        <source>The log file could not be written; start latent-explorer from a terminal to see the details.</source>
        <translation>Impossible d&apos;écrire le fichier journal&#xa0;; lancez latent-explorer depuis un terminal pour voir les détails.</translation>
    </message>
    <message>
        <source>{n} more error(s) since this one, also in the log.</source>
        <translation>{n} autre(s) erreur(s) depuis celle-ci, également dans le journal.</translation>
    </message>
</context>
<context>
    <name>DatasetCombo</name>
    <message>
        <source>A folder (IDX files or pictures)…</source>
        <translation>Un dossier (fichiers IDX ou photos)…</translation>
    </message>
    <message>
        <source>What to train on: Fashion-MNIST (the lab&apos;s), MNIST&apos;s digits, KMNIST&apos;s Japanese characters, a folder of IDX files (EMNIST…) or of your own pictures, one subfolder per class.</source>
        <translation>Sur quoi entraîner : Fashion-MNIST (celui du TP), les chiffres de MNIST, les caractères japonais de KMNIST, un dossier de fichiers IDX (EMNIST…) ou de vos propres photos, un sous-dossier par classe.</translation>
    </message>
    <message>
        <source>A folder of IDX files or of pictures</source>
        <translation>Un dossier de fichiers IDX ou de photos</translation>
    </message>
</context>
<context>
    <name>Dialogs</name>
    <message>
        <source>Fashion-MNIST</source>
        <translation>Fashion-MNIST</translation>
    </message>
    <message>
        <source>The dataset is still loading; try again in a moment.</source>
        <translation>Le jeu de données est encore en cours de chargement&#xa0;; réessayez dans un instant.</translation>
    </message>
    <message>
        <source>No training data</source>
        <translation>Pas de données d&apos;entraînement</translation>
    </message>
    <message>
        <source>Training needs Fashion-MNIST, whose files here cannot be used (see below). Until then the explorer shows the bundled models on a sample of the test images.</source>
        <translation>L&apos;entraînement a besoin de Fashion-MNIST, dont les fichiers présents ici sont inutilisables (voir ci-dessous). En attendant, l&apos;explorateur montre les modèles fournis sur un échantillon des images de test.</translation>
    </message>
    <message>
        <source>Training needs Fashion-MNIST, which was not found on this computer. Until then the explorer shows the bundled models on a sample of the test images.</source>
        <translation>L&apos;entraînement nécessite Fashion-MNIST, introuvable sur cet ordinateur. En attendant, l&apos;application montre les modèles fournis sur un échantillon des images de test.</translation>
    </message>
    <message>
        <source>Download (needs internet)</source>
        <translation>Télécharger (connexion Internet requise)</translation>
    </message>
    <message>
        <source>Recover unsaved models?</source>
        <translation>Récupérer les modèles non enregistrés&#xa0;?</translation>
    </message>
    <message>
        <source>Latent Explorer did not close normally. These models were saved automatically after their last finished epoch:</source>
        <translation>Latent Explorer ne s&apos;est pas fermé normalement. Ces modèles ont été enregistrés automatiquement après leur dernière époque terminée&#xa0;:</translation>
    </message>
    <message>
        <source>Recover</source>
        <translation>Récupérer</translation>
    </message>
    <message>
        <source>Discard them</source>
        <translation>Les supprimer</translation>
    </message>
    <message>
        <source>Decide later</source>
        <translation>Décider plus tard</translation>
    </message>
    <message>
        <source>Latent Explorer will be in English the next time it starts.</source>
        <translation>Latent Explorer sera en anglais à son prochain démarrage.</translation>
    </message>
    <message>
        <source>Latent Explorer will be in French the next time it starts.</source>
        <translation>Latent Explorer sera en français à son prochain démarrage.</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Langue</translation>
    </message>
    <message>
        <source>About Latent Explorer</source>
        <translation>À propos de Latent Explorer</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Latent Explorer {version}&lt;/h3&gt;&lt;p&gt;Train an auto-encoder and a variational auto-encoder on Fashion-MNIST and explore their latent spaces.&lt;/p&gt;&lt;p&gt;Free software under the MIT licence.&lt;/p&gt;&lt;p&gt;Fashion-MNIST © 2017 Zalando SE, MIT licence; a sample of its test images and two models trained on it ship with the app. Built with PyTorch, scikit-learn, Qt (PySide6) and pyqtgraph.&lt;/p&gt;&lt;p&gt;Settings and logs: {folder}&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Latent Explorer {version}&lt;/h3&gt;&lt;p&gt;Entraînez un auto-encodeur et un auto-encodeur variationnel sur Fashion-MNIST, puis explorez leurs espaces latents.&lt;/p&gt;&lt;p&gt;Logiciel libre sous licence MIT.&lt;/p&gt;&lt;p&gt;Fashion-MNIST © 2017 Zalando SE, licence MIT&#xa0;; un échantillon de ses images de test et deux modèles entraînés sur ce jeu de données sont fournis avec l&apos;application. Réalisé avec PyTorch, scikit-learn, Qt (PySide6) et pyqtgraph.&lt;/p&gt;&lt;p&gt;Réglages et journaux&#xa0;: {folder}&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Training is running</source>
        <translation>Entraînement en cours</translation>
    </message>
    <message>
        <source>A model is training. Stop training and quit?</source>
        <translation>Un modèle est en cours d&apos;entraînement. Arrêter l&apos;entraînement et quitter&#xa0;?</translation>
    </message>
    <message>
        <source>Stop, save and quit</source>
        <translation>Arrêter, enregistrer et quitter</translation>
    </message>
    <message>
        <source>Stop and quit without saving</source>
        <translation>Arrêter et quitter sans enregistrer</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <source>Unsaved models</source>
        <translation>Modèles non enregistrés</translation>
    </message>
    <message>
        <source>{n} trained model(s) have not been saved.</source>
        <translation>Modèles entraînés non enregistrés&#xa0;: {n}.</translation>
    </message>
    <message>
        <source>Save…</source>
        <translation>Enregistrer…</translation>
    </message>
    <message>
        <source>Quit without saving</source>
        <translation>Quitter sans enregistrer</translation>
    </message>
</context>
<context>
    <name>DrawCanvas</name>
    <message>
        <source>Draw with the mouse. Right button: erase.</source>
        <translation>Dessinez à la souris. Bouton droit : gommer.</translation>
    </message>
    <message>
        <source>Draw here with the mouse (right button: erase)</source>
        <translation>Dessinez ici à la souris (bouton droit : gomme)</translation>
    </message>
</context>
<context>
    <name>DrawMap</name>
    <message>
        <source>PCA (exact, with the VAE&apos;s posterior)</source>
        <translation>ACP (exacte, avec la loi a posteriori du VAE)</translation>
    </message>
    <message>
        <source>t-SNE (your drawing placed by openTSNE&apos;s transform)</source>
        <translation>t-SNE (votre dessin placé par le transform d&apos;openTSNE)</translation>
    </message>
    <message>
        <source>PCA projects your drawing&apos;s code exactly. t-SNE forms a map of the test images once, then places your drawing among them without moving them.</source>
        <translation>L&apos;ACP projette exactement le code de votre dessin. Le t-SNE forme une fois une carte des images de test, puis place votre dessin parmi elles sans les déplacer.</translation>
    </message>
    <message>
        <source>your drawing</source>
        <translation>votre dessin</translation>
    </message>
    <message>
        <source>Map</source>
        <translation>Carte</translation>
    </message>
    <message>
        <source>t-SNE 1</source>
        <translation>t-SNE 1</translation>
    </message>
    <message>
        <source>PCA 1</source>
        <translation>ACP 1</translation>
    </message>
    <message>
        <source>t-SNE 2</source>
        <translation>t-SNE 2</translation>
    </message>
    <message>
        <source>PCA 2</source>
        <translation>ACP 2</translation>
    </message>
</context>
<context>
    <name>DrawPanel</name>
    <message>
        <source>Undo</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Effacer tout</translation>
    </message>
    <message>
        <source>Start from a test image</source>
        <translation>Partir d’une image de test</translation>
    </message>
    <message>
        <source>Put a random test image on the canvas, to edit it.</source>
        <translation>Met une image de test au hasard sur la toile, pour la retoucher.</translation>
    </message>
    <message>
        <source>Open a picture…</source>
        <translation>Ouvrir une photo…</translation>
    </message>
    <message>
        <source>A PNG, JPEG or BMP of any size, made Fashion-MNIST-like. You can also drop a file here.</source>
        <translation>Un PNG, JPEG ou BMP de toute taille, mis au format de Fashion-MNIST. Vous pouvez aussi déposer un fichier ici.</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modèle</translation>
    </message>
    <message>
        <source>What the model makes of it</source>
        <translation>Ce que le modèle en fait</translation>
    </message>
    <message>
        <source>No test images</source>
        <translation>Pas d’images de test</translation>
    </message>
    <message>
        <source>Open a picture</source>
        <translation>Ouvrir une photo</translation>
    </message>
    <message>
        <source>Pictures (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp)</source>
        <translation>Photos (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp)</translation>
    </message>
    <message>
        <source>Cannot use this picture</source>
        <translation>Impossible d’utiliser cette photo</translation>
    </message>
    <message>
        <source>Train a model or open one to see what it makes of your drawing.</source>
        <translation>Entraînez un modèle ou ouvrez-en un pour voir ce qu’il fait de votre dessin.</translation>
    </message>
    <message>
        <source>Reconstruction error: {e:.4f} per pixel (MSE)</source>
        <translation>Erreur de reconstruction : {e:.4f} par pixel (MSE)</translation>
    </message>
    <message>
        <source>Its code z: {values}</source>
        <translation>Son code z : {values}</translation>
    </message>
    <message>
        <source>Comparing with the test images…</source>
        <translation>Comparaison avec les images de test…</translation>
    </message>
    <message>
        <source>Loss {loss:.4g}: less typical than {p} % of the test images.</source>
        <translation>Perte {loss:.4g} : moins typique que {p} % des images de test.</translation>
    </message>
    <message>
        <source>Loss {loss:.4g}: more typical than {p} % of the test images.</source>
        <translation>Perte {loss:.4g} : plus typique que {p} % des images de test.</translation>
    </message>
    <message>
        <source>Its {n} nearest test images: {k} of them are {name}.</source>
        <translation>Ses {n} plus proches images de test : {k} sont de la classe {name}.</translation>
    </message>
    <message>
        <source>Forming the t-SNE map of {n} test images… {p} %</source>
        <translation>Formation de la carte t-SNE de {n} images de test… {p} %</translation>
    </message>
    <message>
        <source>This model learnt {name}: choose it as the training panel&apos;s dataset to compare your drawing with its test images.</source>
        <translation>Ce modèle a appris {name} : choisissez-le comme jeu de données du panneau d’entraînement pour comparer votre dessin à ses images de test.</translation>
    </message>
    <message>
        <source>The map needs the test images.</source>
        <translation>La carte a besoin des images de test.</translation>
    </message>
    <message>
        <source>Encoding test images…</source>
        <translation>Encodage des images de test…</translation>
    </message>
    <message>
        <source>Forming the t-SNE map of {n} test images…</source>
        <translation>Formation de la carte t-SNE de {n} images de test…</translation>
    </message>
    <message>
        <source>{n} test images on a t-SNE map of the model&apos;s codes; ★ is your drawing, placed among them by openTSNE&apos;s transform (the map itself does not move).</source>
        <translation>{n} images de test sur une carte t-SNE des codes du modèle ; ★ est votre dessin, placé parmi elles par le transform d&apos;openTSNE (la carte elle-même ne bouge pas).</translation>
    </message>
    <message>
        <source>{n} test images on the PCA map of the model&apos;s codes; ★ is your drawing.</source>
        <translation>{n} images de test sur la carte ACP des codes du modèle ; ★ est votre dessin.</translation>
    </message>
</context>
<context>
    <name>ExplorerState</name>
    <message>
        <source>random N(0, I)</source>
        <translation>tirage N(0, I)</translation>
    </message>
</context>
<context>
    <name>Exporter</name>
    <message>
        <source>separator</source>
        <translation>séparateur</translation>
    </message>
    <message>
        <source>precision</source>
        <translation>précision</translation>
    </message>
    <message>
        <source>columnMode</source>
        <translation>disposition des colonnes</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>width</source>
        <translation>largeur</translation>
    </message>
    <message>
        <source>height</source>
        <translation>hauteur</translation>
    </message>
    <message>
        <source>antialias</source>
        <translation>anticrénelage</translation>
    </message>
    <message>
        <source>background</source>
        <translation>arrière-plan</translation>
    </message>
    <message>
        <source>invertValue</source>
        <translation>inverser les valeurs</translation>
    </message>
    <message>
        <source>Print Document</source>
        <translation>Imprimer le document</translation>
    </message>
    <message>
        <source>scaling stroke</source>
        <translation>épaisseur du trait mise à l&apos;échelle</translation>
    </message>
</context>
<context>
    <name>FashionMNIST</name>
    <message>
        <source>T-shirt/top</source>
        <translation>T-shirt/haut</translation>
    </message>
    <message>
        <source>Trouser</source>
        <translation>Pantalon</translation>
    </message>
    <message>
        <source>Pullover</source>
        <translation>Pull</translation>
    </message>
    <message>
        <source>Dress</source>
        <translation>Robe</translation>
    </message>
    <message>
        <source>Coat</source>
        <translation>Manteau</translation>
    </message>
    <message>
        <source>Sandal</source>
        <translation>Sandale</translation>
    </message>
    <message>
        <source>Shirt</source>
        <translation>Chemise</translation>
    </message>
    <message>
        <source>Sneaker</source>
        <translation>Basket</translation>
    </message>
    <message>
        <source>Bag</source>
        <translation>Sac</translation>
    </message>
    <message>
        <source>Ankle boot</source>
        <translation>Bottine</translation>
    </message>
</context>
<context>
    <name>FileFlow</name>
    <message>
        <source>Latent Explorer models (*.safetensors)</source>
        <translation>Modèles Latent Explorer (*.safetensors)</translation>
    </message>
    <message>
        <source>Open models</source>
        <translation>Ouvrir des modèles</translation>
    </message>
    <message>
        <source>Nothing to save</source>
        <translation>Rien à enregistrer</translation>
    </message>
    <message>
        <source>Train a model or open one first.</source>
        <translation>Entraînez d&apos;abord un modèle ou ouvrez-en un.</translation>
    </message>
    <message>
        <source>Save model as</source>
        <translation>Enregistrer le modèle sous</translation>
    </message>
    <message>
        <source>Cannot export</source>
        <translation>Impossible d&apos;exporter</translation>
    </message>
    <message>
        <source>Could not write {path}.</source>
        <translation>Impossible d&apos;écrire {path}.</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>{path} enregistré</translation>
    </message>
    <message>
        <source>Export view</source>
        <translation>Exporter la vue</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>Images PNG (*.png)</translation>
    </message>
</context>
<context>
    <name>Form</name>
    <message>
        <source>Export</source>
        <translation>Exporter</translation>
    </message>
    <message>
        <source>Item to export:</source>
        <translation>Élément à exporter&#xa0;:</translation>
    </message>
    <message>
        <source>Export format</source>
        <translation>Format d&apos;export</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
    <message>
        <source>Export options</source>
        <translation>Options d&apos;export</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Copier</translation>
    </message>
    <message>
        <source>PyQtGraph</source>
        <translation>PyQtGraph</translation>
    </message>
    <message>
        <source>Link Axis:</source>
        <translation>Lier l&apos;axe&#xa0;:</translation>
    </message>
    <message>
        <source>&lt;html&gt;&lt;head/&gt;&lt;body&gt;&lt;p&gt;Links this axis with another view. When linked, both views will display the same data range.&lt;/p&gt;&lt;/body&gt;&lt;/html&gt;</source>
        <translation>&lt;html&gt;&lt;head/&gt;&lt;body&gt;&lt;p&gt;Lie cet axe à une autre vue. Une fois liées, les deux vues affichent la même plage de données.&lt;/p&gt;&lt;/body&gt;&lt;/html&gt;</translation>
    </message>
    <message>
        <source>&lt;html&gt;&lt;head/&gt;&lt;body&gt;&lt;p&gt;Percent of data to be visible when auto-scaling. It may be useful to decrease this value for data with spiky noise.&lt;/p&gt;&lt;/body&gt;&lt;/html&gt;</source>
        <translation>&lt;html&gt;&lt;head/&gt;&lt;body&gt;&lt;p&gt;Pourcentage des données visibles lors de la mise à l&apos;échelle automatique. Le réduire peut aider avec des données au bruit en pics.&lt;/p&gt;&lt;/body&gt;&lt;/html&gt;</translation>
    </message>
    <message>
        <source>%</source>
        <translation>%</translation>
    </message>
    <message>
        <source>&lt;html&gt;&lt;head/&gt;&lt;body&gt;&lt;p&gt;Automatically resize this axis whenever the displayed data is changed.&lt;/p&gt;&lt;/body&gt;&lt;/html&gt;</source>
        <translation>&lt;html&gt;&lt;head/&gt;&lt;body&gt;&lt;p&gt;Ajuster automatiquement cet axe à chaque changement des données affichées.&lt;/p&gt;&lt;/body&gt;&lt;/html&gt;</translation>
    </message>
    <message>
        <source>Auto</source>
        <translation>Auto</translation>
    </message>
    <message>
        <source>&lt;html&gt;&lt;head/&gt;&lt;body&gt;&lt;p&gt;Set the range for this axis manually. This disables automatic scaling. &lt;/p&gt;&lt;/body&gt;&lt;/html&gt;</source>
        <translation>&lt;html&gt;&lt;head/&gt;&lt;body&gt;&lt;p&gt;Fixer soi-même la plage de cet axe. Cela désactive la mise à l&apos;échelle automatique. &lt;/p&gt;&lt;/body&gt;&lt;/html&gt;</translation>
    </message>
    <message>
        <source>Manual</source>
        <translation>Manuel</translation>
    </message>
    <message>
        <source>&lt;html&gt;&lt;head/&gt;&lt;body&gt;&lt;p&gt;Minimum value to display for this axis.&lt;/p&gt;&lt;/body&gt;&lt;/html&gt;</source>
        <translation>&lt;html&gt;&lt;head/&gt;&lt;body&gt;&lt;p&gt;Valeur minimale affichée sur cet axe.&lt;/p&gt;&lt;/body&gt;&lt;/html&gt;</translation>
    </message>
    <message>
        <source>0</source>
        <translation>0</translation>
    </message>
    <message>
        <source>&lt;html&gt;&lt;head/&gt;&lt;body&gt;&lt;p&gt;Maximum value to display for this axis.&lt;/p&gt;&lt;/body&gt;&lt;/html&gt;</source>
        <translation>&lt;html&gt;&lt;head/&gt;&lt;body&gt;&lt;p&gt;Valeur maximale affichée sur cet axe.&lt;/p&gt;&lt;/body&gt;&lt;/html&gt;</translation>
    </message>
    <message>
        <source>&lt;html&gt;&lt;head/&gt;&lt;body&gt;&lt;p&gt;Inverts the display of this axis. (+y points downward instead of upward)&lt;/p&gt;&lt;/body&gt;&lt;/html&gt;</source>
        <translation>&lt;html&gt;&lt;head/&gt;&lt;body&gt;&lt;p&gt;Inverse le sens de cet axe (+y vers le bas au lieu du haut).&lt;/p&gt;&lt;/body&gt;&lt;/html&gt;</translation>
    </message>
    <message>
        <source>Invert Axis</source>
        <translation>Inverser l&apos;axe</translation>
    </message>
    <message>
        <source>&lt;html&gt;&lt;head/&gt;&lt;body&gt;&lt;p&gt;Enables mouse interaction (panning, scaling) for this axis.&lt;/p&gt;&lt;/body&gt;&lt;/html&gt;</source>
        <translation>&lt;html&gt;&lt;head/&gt;&lt;body&gt;&lt;p&gt;Active l&apos;interaction à la souris (déplacement, zoom) sur cet axe.&lt;/p&gt;&lt;/body&gt;&lt;/html&gt;</translation>
    </message>
    <message>
        <source>Mouse Enabled</source>
        <translation>Souris active</translation>
    </message>
    <message>
        <source>&lt;html&gt;&lt;head/&gt;&lt;body&gt;&lt;p&gt;When checked, the axis will only auto-scale to data that is visible along the orthogonal axis.&lt;/p&gt;&lt;/body&gt;&lt;/html&gt;</source>
        <translation>&lt;html&gt;&lt;head/&gt;&lt;body&gt;&lt;p&gt;Si la case est cochée, l&apos;axe ne s&apos;ajuste automatiquement qu&apos;aux données visibles le long de l&apos;autre axe.&lt;/p&gt;&lt;/body&gt;&lt;/html&gt;</translation>
    </message>
    <message>
        <source>Visible Data Only</source>
        <translation>Données visibles</translation>
    </message>
    <message>
        <source>&lt;html&gt;&lt;head/&gt;&lt;body&gt;&lt;p&gt;When checked, the axis will automatically pan to center on the current data, but the scale along this axis will not change.&lt;/p&gt;&lt;/body&gt;&lt;/html&gt;</source>
        <translation>&lt;html&gt;&lt;head/&gt;&lt;body&gt;&lt;p&gt;Si la case est cochée, l&apos;axe se déplace automatiquement pour centrer les données affichées, sans changer d&apos;échelle.&lt;/p&gt;&lt;/body&gt;&lt;/html&gt;</translation>
    </message>
    <message>
        <source>Auto Pan Only</source>
        <translation>Recentrage seul</translation>
    </message>
    <message>
        <source>Display averages of the curves displayed in this plot. The parameter list allows you to choose parameters to average over (if any are available).</source>
        <translation>Afficher la moyenne des courbes de ce tracé. La liste des paramètres permet de choisir sur lesquels moyenner (s&apos;il y en a).</translation>
    </message>
    <message>
        <source>Average</source>
        <translation>Moyenne</translation>
    </message>
    <message>
        <source>Plot only the portion of each curve that is visible. This assumes X values are uniformly spaced.</source>
        <translation>Ne tracer que la partie visible de chaque courbe. Suppose des valeurs de X régulièrement espacées.</translation>
    </message>
    <message>
        <source>Clip to View</source>
        <translation>Limiter à la vue</translation>
    </message>
    <message>
        <source>If multiple curves are displayed in this plot, check this box to limit the number of traces that are displayed.</source>
        <translation>Si ce tracé affiche plusieurs courbes, cocher cette case pour limiter le nombre de courbes affichées.</translation>
    </message>
    <message>
        <source>Max Traces:</source>
        <translation>Courbes max.&#xa0;:</translation>
    </message>
    <message>
        <source>Downsample</source>
        <translation>Sous-échantillonner</translation>
    </message>
    <message>
        <source>Downsample by drawing a saw wave that follows the min and max of the original data. This method produces the best visual representation of the data but is slower.</source>
        <translation>Sous-échantillonner en traçant une dent de scie qui suit le minimum et le maximum des données d&apos;origine. La méthode la plus fidèle à l&apos;œil, mais la plus lente.</translation>
    </message>
    <message>
        <source>Peak</source>
        <translation>Pics</translation>
    </message>
    <message>
        <source>If multiple curves are displayed in this plot, check &quot;Max Traces&quot; and set this value to limit the number of traces that are displayed.</source>
        <translation>Si ce tracé affiche plusieurs courbes, cocher «&#xa0;Courbes max.&#xa0;» et régler cette valeur pour limiter le nombre de courbes affichées.</translation>
    </message>
    <message>
        <source>If MaxTraces is checked, remove curves from memory after they are hidden (saves memory, but traces can not be un-hidden).</source>
        <translation>Si «&#xa0;Courbes max.&#xa0;» est coché, retirer de la mémoire les courbes masquées (économise la mémoire, mais elles ne peuvent plus être réaffichées).</translation>
    </message>
    <message>
        <source>Forget hidden traces</source>
        <translation>Oublier les courbes masquées</translation>
    </message>
    <message>
        <source>Downsample by taking the mean of N samples.</source>
        <translation>Sous-échantillonner en prenant la moyenne de N échantillons.</translation>
    </message>
    <message>
        <source>Mean</source>
        <translation>Moyenne</translation>
    </message>
    <message>
        <source>Downsample by taking the first of N samples. This method is fastest and least accurate.</source>
        <translation>Sous-échantillonner en gardant le premier de N échantillons. La méthode la plus rapide et la moins précise.</translation>
    </message>
    <message>
        <source>Subsample</source>
        <translation>Premier</translation>
    </message>
    <message>
        <source>Automatically downsample data based on the visible range. This assumes X values are uniformly spaced.</source>
        <translation>Sous-échantillonner automatiquement selon la plage visible. Suppose des valeurs de X régulièrement espacées.</translation>
    </message>
    <message>
        <source>Downsample data before plotting. (plot every Nth sample)</source>
        <translation>Sous-échantillonner les données avant de les tracer (un échantillon sur N).</translation>
    </message>
    <message>
        <source>x</source>
        <translation>x</translation>
    </message>
    <message>
        <source>Log X</source>
        <translation>X logarithmique</translation>
    </message>
    <message>
        <source>dy/dx</source>
        <translation>dy/dx</translation>
    </message>
    <message>
        <source>Y vs. Y&apos;</source>
        <translation>Y en fonction de Y&apos;</translation>
    </message>
    <message>
        <source>Power Spectrum (FFT)</source>
        <translation>Spectre de puissance (FFT)</translation>
    </message>
    <message>
        <source>Log Y</source>
        <translation>Y logarithmique</translation>
    </message>
    <message>
        <source>Subtract Mean</source>
        <translation>Soustraire la moyenne</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>Points</translation>
    </message>
    <message>
        <source>Show X Grid</source>
        <translation>Afficher la grille X</translation>
    </message>
    <message>
        <source>Show Y Grid</source>
        <translation>Afficher la grille Y</translation>
    </message>
    <message>
        <source>Opacity</source>
        <translation>Opacité</translation>
    </message>
    <message>
        <source>Alpha</source>
        <translation>Transparence</translation>
    </message>
</context>
<context>
    <name>GenerationPanel</name>
    <message>
        <source>Temperature: z is drawn from N(0, scale² I). 1 is the prior the VAE was trained to match.</source>
        <translation>Température&#xa0;: z est tiré selon N(0, échelle² I). 1 correspond à la loi a priori que le VAE a appris à suivre.</translation>
    </message>
    <message>
        <source>New draws</source>
        <translation>Nouveaux tirages</translation>
    </message>
    <message>
        <source>Draw new codes z from the prior and decode them (Ctrl+G).</source>
        <translation>Tirer de nouveaux codes z selon la loi a priori et les décoder (Ctrl+G).</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modèle</translation>
    </message>
    <message>
        <source>Scale</source>
        <translation>Échelle</translation>
    </message>
    <message>
        <source>Train a model or open one (File → Open model) to generate images.</source>
        <translation>Entraînez un modèle ou ouvrez-en un (Fichier → Ouvrir un modèle) pour générer des images.</translation>
    </message>
    <message>
        <source>{n} codes z drawn from N(0, I) × {s:g}, decoded by the VAE. Its KL term pulled the codes of real images towards this prior, so most draws decode to plausible clothes.</source>
        <translation>{n} codes z tirés selon N(0, I) × {s:g}, décodés par le VAE. Son terme KL a attiré les codes des vraies images vers cette loi a priori&#xa0;: la plupart des tirages donnent des vêtements plausibles.</translation>
    </message>
    <message>
        <source>The same {n} draws z ~ N(0, I) × {s:g}, decoded by the AE. Nothing made its codes follow N(0, I): many draws fall in empty regions between its clusters and decode to blurs.</source>
        <translation>Les mêmes {n} tirages z ~ N(0, I) × {s:g}, décodés par l&apos;AE. Rien n&apos;a obligé ses codes à suivre N(0, I)&#xa0;: beaucoup de tirages tombent dans les zones vides entre ses groupes et donnent des images floues.</translation>
    </message>
</context>
<context>
    <name>GraphicsScene</name>
    <message>
        <source>Export...</source>
        <translation>Exporter…</translation>
    </message>
</context>
<context>
    <name>ImageGrid</name>
    <message>
        <source>Save these images as PNG…</source>
        <translation>Enregistrer ces images en PNG…</translation>
    </message>
    <message>
        <source>Save images</source>
        <translation>Enregistrer les images</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>Images PNG (*.png)</translation>
    </message>
    <message>
        <source>Cannot export</source>
        <translation>Impossible d&apos;exporter</translation>
    </message>
    <message>
        <source>Could not write {path}.</source>
        <translation>Impossible d&apos;écrire {path}.</translation>
    </message>
</context>
<context>
    <name>ImagePreview</name>
    <message>
        <source>Use this picture?</source>
        <translation>Utiliser cette photo ?</translation>
    </message>
    <message>
        <source>{name}, as the model will see it: grayscale, background to black, cropped to the object and fitted into 28×28 pixels, as Fashion-MNIST&apos;s photos were.</source>
        <translation>{name}, tel que le modèle le verra : en niveaux de gris, fond noir, recadré sur l’objet et ajusté dans 28×28 pixels, comme les photos de Fashion-MNIST.</translation>
    </message>
    <message>
        <source>Use it</source>
        <translation>L’utiliser</translation>
    </message>
</context>
<context>
    <name>InterpolationBar</name>
    <message>
        <source>linear (the lab&apos;s)</source>
        <translation>linéaire (celle du TP)</translation>
    </message>
    <message>
        <source>spherical (slerp)</source>
        <translation>sphérique (slerp)</translation>
    </message>
    <message>
        <source>How the strip below interpolates from A to B</source>
        <translation>Comment la bande ci-dessous passe de A à B</translation>
    </message>
    <message>
        <source>Random A and B</source>
        <translation>A et B au hasard</translation>
    </message>
    <message>
        <source>Test image #</source>
        <translation>Image de test n°&#xa0;</translation>
    </message>
    <message>
        <source>A test image by its index (0–9,999), as in the lab&apos;s notebook.</source>
        <translation>Une image de test par son indice (0–9&#x202f;999), comme dans le notebook du TP.</translation>
    </message>
    <message>
        <source>Set as A</source>
        <translation>Prendre comme A</translation>
    </message>
    <message>
        <source>Set as B</source>
        <translation>Prendre comme B</translation>
    </message>
    <message>
        <source>Walk from A to B: the large image and the sliders follow.</source>
        <translation>Parcourir le chemin de A à B&#xa0;: la grande image et les curseurs suivent.</translation>
    </message>
    <message>
        <source>Animate</source>
        <translation>Animer</translation>
    </message>
    <message>
        <source>Steps A→B</source>
        <translation>Étapes A→B</translation>
    </message>
</context>
<context>
    <name>KlBars</name>
    <message>
        <source>KL (nats)</source>
        <translation>KL (nats)</translation>
    </message>
    <message>
        <source>latent dimension</source>
        <translation>dimension latente</translation>
    </message>
    <message>
        <source>How much information each latent dimension carries: its KL divergence from the N(0, 1) prior, in nats per image, averaged over the test images. A dimension near 0 (below the dashed line) is unused: the decoder ignores it.</source>
        <translation>La quantité d&apos;information que porte chaque dimension latente&#xa0;: sa divergence KL par rapport à la loi a priori N(0, 1), en nats par image, en moyenne sur les images de test. Une dimension proche de 0 (sous la ligne pointillée) ne sert pas&#xa0;: le décodeur l&apos;ignore.</translation>
    </message>
</context>
<context>
    <name>KlBox</name>
    <message>
        <source>KL per dimension (VAE)</source>
        <translation>KL par dimension (VAE)</translation>
    </message>
    <message>
        <source>Appears after the first epoch.</source>
        <translation>Apparaît après la première époque.</translation>
    </message>
    <message>
        <source>Only {a} of {n} dimensions carry information: the others match the prior and the decoder ignores them (posterior collapse). A smaller β gives the code room.</source>
        <translation>Dimensions porteuses d&apos;information&#xa0;: seulement {a} sur {n}. Les autres suivent la loi a priori et le décodeur les ignore (effondrement du postérieur, «&#xa0;posterior collapse&#xa0;»). Un β plus petit laisse de la place au code.</translation>
    </message>
    <message>
        <source>{a} of {n} dimensions carry information.</source>
        <translation>Dimensions porteuses d&apos;information&#xa0;: {a} sur {n}.</translation>
    </message>
</context>
<context>
    <name>LatentMapPanel</name>
    <message>
        <source>Train a model or open one to explore its latent space.</source>
        <translation>Entraînez un modèle ou ouvrez-en un pour explorer son espace latent.</translation>
    </message>
    <message>
        <source>The map needs the Fashion-MNIST test images.</source>
        <translation>La carte a besoin des images de test de Fashion-MNIST.</translation>
    </message>
    <message>
        <source>Encoding {n} test images…</source>
        <translation>Encodage de {n} images de test…</translation>
    </message>
    <message>
        <source>PCA shown; the lab&apos;s t-SNE after training (it would slow training down).</source>
        <translation>PCA affichée&#xa0;; le t-SNE du TP après l&apos;entraînement (il le ralentirait).</translation>
    </message>
    <message>
        <source>Could not compute the map: {m}</source>
        <translation>Impossible de calculer la carte&#xa0;: {m}</translation>
    </message>
    <message>
        <source>{kind} of {n} test codes ({what}).</source>
        <translation>{kind} de {n} codes de test ({what}).</translation>
    </message>
    <message>
        <source>Export map as CSV</source>
        <translation>Exporter la carte en CSV</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>Fichiers CSV (*.csv)</translation>
    </message>
    <message>
        <source>(recorded while a model trains)</source>
        <translation>(enregistré pendant l&apos;entraînement d&apos;un modèle)</translation>
    </message>
    <message>
        <source>before training</source>
        <translation>avant l&apos;entraînement</translation>
    </message>
    <message>
        <source>after epoch {e}</source>
        <translation>après l&apos;époque {e}</translation>
    </message>
    <message>
        <source>Replay: {when} of {n}</source>
        <translation>Film&#xa0;: {when} sur {n}</translation>
    </message>
    <message>
        <source>Training replay: PCA of each epoch&apos;s codes, aligned to the previous epoch.</source>
        <translation>Film de l&apos;entraînement&#xa0;: PCA des codes de chaque époque, alignée sur l&apos;époque précédente.</translation>
    </message>
    <message>
        <source>test image {i} ({c})</source>
        <translation>image de test {i} ({c})</translation>
    </message>
    <message>
        <source>Test image {i}: {c}</source>
        <translation>Image de test {i}&#xa0;: {c}</translation>
    </message>
    <message>
        <source>Decoded at this point of the PCA plane</source>
        <translation>Décodage de ce point du plan de la PCA</translation>
    </message>
</context>
<context>
    <name>LatentMapPlot</name>
    <message>
        <source>Drag the legend if it hides points.</source>
        <translation>Déplacez la légende si elle cache des points.</translation>
    </message>
    <message>
        <source>you are here</source>
        <translation>vous êtes ici</translation>
    </message>
    <message>
        <source>you are here (approximate)</source>
        <translation>vous êtes ici (à peu près)</translation>
    </message>
</context>
<context>
    <name>LatentPanel</name>
    <message>
        <source>PCA</source>
        <translation>PCA</translation>
    </message>
    <message>
        <source>t-SNE (forms live from PCA)</source>
        <translation>t-SNE (se forme en direct depuis la PCA)</translation>
    </message>
    <message>
        <source>t-SNE (scikit-learn, as in the lab)</source>
        <translation>t-SNE (scikit-learn, comme dans le TP)</translation>
    </message>
    <message>
        <source>PCA: a linear view, exact — hover anywhere to decode that point. t-SNE: a non-linear view, better at showing clusters; it forms on screen from the PCA map (openTSNE), or, as in the lab, appears when scikit-learn has finished. Hovering empty t-SNE space decodes an estimate.</source>
        <translation>PCA&#xa0;: une vue linéaire et exacte — survolez n&apos;importe quel endroit pour décoder ce point. t-SNE&#xa0;: une vue non linéaire, qui montre mieux les groupes&#xa0;; elle se forme à l&apos;écran depuis la carte PCA (openTSNE) ou, comme dans le TP, apparaît quand scikit-learn a fini. Survoler un espace vide du t-SNE décode une estimation.</translation>
    </message>
    <message>
        <source>{n} points</source>
        <translation>{n} points</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modèle</translation>
    </message>
    <message>
        <source>Map</source>
        <translation>Carte</translation>
    </message>
    <message>
        <source>Under the cursor</source>
        <translation>Sous le pointeur</translation>
    </message>
    <message>
        <source>Selected test image</source>
        <translation>Image de test choisie</translation>
    </message>
    <message>
        <source>Steps from A to B: {n} steps give {m} images, A and B included.</source>
        <translation>Étapes de A à B&#xa0;: {n} étapes donnent {m} images, A et B compris.</translation>
    </message>
    <message>
        <source>Hover over the map: the image under the cursor appears here.</source>
        <translation>Survolez la carte&#xa0;: l&apos;image sous le curseur apparaît ici.</translation>
    </message>
    <message>
        <source>Click a point on the map: its test image and its reconstruction appear here.</source>
        <translation>Cliquez sur un point de la carte&#xa0;: son image de test et sa reconstruction apparaissent ici.</translation>
    </message>
    <message>
        <source>Ranges: the test codes&apos; mean ± 3σ, widened to the prior N(0, 1) ± 3, centred on 0.</source>
        <translation>Plages&#xa0;: moyenne des codes de test ± 3σ, élargie à la loi a priori N(0, 1) ± 3, centrée sur 0.</translation>
    </message>
    <message>
        <source>Ranges: the test codes&apos; mean ± 3σ per dimension.</source>
        <translation>Plages&#xa0;: moyenne des codes de test ± 3σ, par dimension.</translation>
    </message>
    <message>
        <source>Test image {i}: {c}</source>
        <translation>Image de test {i}&#xa0;: {c}</translation>
    </message>
    <message>
        <source>test image {i} ({c})</source>
        <translation>image de test {i} ({c})</translation>
    </message>
    <message>
        <source>Click a point on the map.</source>
        <translation>Cliquez sur un point de la carte.</translation>
    </message>
    <message>
        <source>image</source>
        <translation>originale</translation>
    </message>
    <message>
        <source>decoded</source>
        <translation>décodée</translation>
    </message>
    <message>
        <source>A: {a}   B: {b}</source>
        <translation>A&#xa0;: {a}   B&#xa0;: {b}</translation>
    </message>
    <message>
        <source>(Shift+click a point)</source>
        <translation>(Maj+clic sur un point)</translation>
    </message>
    <message>
        <source>(Ctrl+click a point)</source>
        <translation>(Ctrl+clic sur un point)</translation>
    </message>
</context>
<context>
    <name>LossPlot</name>
    <message>
        <source>batch loss (train)</source>
        <translation>perte par lot (entraînement)</translation>
    </message>
    <message>
        <source>batch loss, smoothed</source>
        <translation>perte par lot, lissée</translation>
    </message>
    <message>
        <source>train loss (epoch mean)</source>
        <translation>perte d&apos;entraînement (moyenne de l&apos;époque)</translation>
    </message>
    <message>
        <source>test loss</source>
        <translation>perte de test</translation>
    </message>
    <message>
        <source>test reconstruction (BCE)</source>
        <translation>reconstruction en test (BCE)</translation>
    </message>
    <message>
        <source>test KL divergence</source>
        <translation>divergence KL en test</translation>
    </message>
    <message>
        <source>the lab&apos;s code</source>
        <translation>le code du TP</translation>
    </message>
    <message>
        <source>epoch</source>
        <translation>époque</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>perte</translation>
    </message>
    <message>
        <source>BCE + β·KL (nats / image)</source>
        <translation>BCE + β·KL (nats / image)</translation>
    </message>
    <message>
        <source>VAE loss per image, in nats: the reconstruction error (binary cross-entropy summed over the 784 pixels) plus β times the KL divergence between the encoder&apos;s Gaussian and N(0, I). Lower is better.</source>
        <translation>Perte du VAE par image, en nats&#xa0;: l&apos;erreur de reconstruction (entropie croisée binaire sommée sur les 784 pixels) plus β fois la divergence KL entre la gaussienne de l&apos;encodeur et N(0, I). Plus elle est basse, mieux c&apos;est.</translation>
    </message>
    <message>
        <source>loss (mean squared error per pixel)</source>
        <translation>perte (erreur quadratique moyenne par pixel)</translation>
    </message>
    <message>
        <source>AE loss: mean squared difference between input and reconstruction, per pixel, with pixel values in [0, 1]. Lower is better.</source>
        <translation>Perte de l&apos;AE&#xa0;: écart quadratique moyen entre l&apos;entrée et sa reconstruction, par pixel, avec des valeurs de pixel dans [0, 1]. Plus elle est basse, mieux c&apos;est.</translation>
    </message>
    <message>
        <source>the lab&apos;s code reached {v:.4g} after {n} epochs</source>
        <translation>le code du TP atteint {v:.4g} après {n} époques</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Latent Explorer</source>
        <translation>Latent Explorer</translation>
    </message>
    <message>
        <source>Loading PyTorch and the panels…</source>
        <translation>Chargement de PyTorch et des panneaux…</translation>
    </message>
    <message>
        <source>Loading PyTorch…</source>
        <translation>Chargement de PyTorch…</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>Entraînement</translation>
    </message>
    <message>
        <source>Latent explorer</source>
        <translation>Espace latent</translation>
    </message>
    <message>
        <source>Generation</source>
        <translation>Génération</translation>
    </message>
    <message>
        <source>Reconstruction &amp;&amp; denoising</source>
        <translation>Reconstruction &amp;&amp; débruitage</translation>
    </message>
    <message>
        <source>AE vs VAE</source>
        <translation>AE contre VAE</translation>
    </message>
    <message>
        <source>Understanding</source>
        <translation>Comprendre</translation>
    </message>
    <message>
        <source>Your drawing</source>
        <translation>Votre dessin</translation>
    </message>
    <message>
        <source>Device: {gpu}</source>
        <translation>Calcul&#xa0;: {gpu}</translation>
    </message>
    <message>
        <source>Device: CPU</source>
        <translation>Calcul&#xa0;: CPU</translation>
    </message>
    <message>
        <source>Fashion-MNIST: looking…</source>
        <translation>Fashion-MNIST&#xa0;: recherche…</translation>
    </message>
    <message>
        <source>How training computes shows here once a run starts.</source>
        <translation>La façon dont l’entraînement calcule s’affiche ici dès qu’il commence.</translation>
    </message>
    <message>
        <source>Device: {device} — {how}</source>
        <translation>Calcul&#xa0;: {device} — {how}</translation>
    </message>
    <message>
        <source>Training computes on: {path}</source>
        <translation>L’entraînement calcule ainsi&#xa0;: {path}</translation>
    </message>
    <message>
        <source>Models: none yet</source>
        <translation>Modèles&#xa0;: aucun pour l&apos;instant</translation>
    </message>
    <message>
        <source>{kind} ({n} ep.)</source>
        <translation>{kind} ({n} ép.)</translation>
    </message>
    <message>
        <source>{kind} ({n} ep., unsaved)</source>
        <translation>{kind} ({n} ép., non enregistré)</translation>
    </message>
    <message>
        <source>Models: {list}</source>
        <translation>Modèles&#xa0;: {list}</translation>
    </message>
    <message>
        <source>Fashion-MNIST: downloading…</source>
        <translation>Fashion-MNIST&#xa0;: téléchargement…</translation>
    </message>
    <message>
        <source>Fashion-MNIST: loading…</source>
        <translation>Fashion-MNIST&#xa0;: chargement…</translation>
    </message>
    <message>
        <source>Download failed</source>
        <translation>Échec du téléchargement</translation>
    </message>
    <message>
        <source>{n} files skipped</source>
        <translation>{n} fichiers ignorés</translation>
    </message>
    <message>
        <source>These files could not be read as pictures and were left out:
{files}</source>
        <translation>Ces fichiers n’ont pas pu être lus comme des photos et ont été laissés de côté :
{files}</translation>
    </message>
    <message>
        <source>Cannot load this dataset</source>
        <translation>Impossible de charger ce jeu de données</translation>
    </message>
    <message>
        <source>Converting pictures: {done} of {total}…</source>
        <translation>Conversion des photos : {done} sur {total}…</translation>
    </message>
    <message>
        <source>Fashion-MNIST: not found</source>
        <translation>Fashion-MNIST&#xa0;: introuvable</translation>
    </message>
    <message>
        <source>Fashion-MNIST is damaged: using the bundled sample ({n} test images)</source>
        <translation>Fashion-MNIST est endommagé&#xa0;: utilisation de l&apos;échantillon fourni ({n} images de test)</translation>
    </message>
    <message>
        <source>Fashion-MNIST not found: using the bundled sample ({n} test images)</source>
        <translation>Fashion-MNIST introuvable&#xa0;: utilisation de l&apos;échantillon fourni ({n} images de test)</translation>
    </message>
    <message>
        <source>Training needs the full dataset. {why}</source>
        <translation>L&apos;entraînement nécessite le jeu de données complet. {why}</translation>
    </message>
    <message>
        <source>{name}: {train} + {test} images</source>
        <translation>{name} : {train} + {test} images</translation>
    </message>
    <message>
        <source>Fashion-MNIST: {train} + {test} images</source>
        <translation>Fashion-MNIST&#xa0;: {train} + {test} images</translation>
    </message>
    <message>
        <source>From {source}</source>
        <translation>Source&#xa0;: {source}</translation>
    </message>
    <message>
        <source>Opened with a warning</source>
        <translation>Ouvert avec un avertissement</translation>
    </message>
    <message>
        <source>Cannot open model</source>
        <translation>Impossible d&apos;ouvrir le modèle</translation>
    </message>
    <message>
        <source>Opened {name}</source>
        <translation>{name} ouvert</translation>
    </message>
    <message>
        <source>Cannot save</source>
        <translation>Impossible d&apos;enregistrer</translation>
    </message>
    <message>
        <source>Stop or finish training before saving this model.</source>
        <translation>Arrêtez ou terminez l&apos;entraînement avant d&apos;enregistrer ce modèle.</translation>
    </message>
    <message>
        <source>Cannot save model</source>
        <translation>Impossible d&apos;enregistrer le modèle</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>{path} enregistré</translation>
    </message>
    <message>
        <source>Cannot recover a model</source>
        <translation>Impossible de récupérer un modèle</translation>
    </message>
    <message>
        <source>Recovered {n} model(s): save them with File → Save model as.</source>
        <translation>Modèle(s) récupéré(s)&#xa0;: {n}. Enregistrez-les avec Fichier → Enregistrer le modèle sous.</translation>
    </message>
    <message>
        <source>the bundled {kind}</source>
        <translation>le {kind} fourni</translation>
    </message>
</context>
<context>
    <name>MapPane</name>
    <message>
        <source>Click a point: its code goes to the sliders. Shift+click: endpoint A, Ctrl+click: endpoint B. Hover: the image under the cursor.</source>
        <translation>Clic sur un point&#xa0;: son code passe dans les curseurs. Maj+clic&#xa0;: extrémité A, Ctrl+clic&#xa0;: extrémité B. Survol&#xa0;: l&apos;image sous le pointeur.</translation>
    </message>
    <message>
        <source>Watch the map form: the codes of 2,000 test images after each epoch.</source>
        <translation>Regardez la carte se former&#xa0;: les codes de 2&#x202f;000 images de test après chaque époque.</translation>
    </message>
    <message>
        <source>Play training</source>
        <translation>Lecture</translation>
    </message>
    <message>
        <source>Live map</source>
        <translation>Carte actuelle</translation>
    </message>
    <message>
        <source>Back to the map of the model as it is now</source>
        <translation>Revenir à la carte du modèle tel qu&apos;il est maintenant</translation>
    </message>
    <message>
        <source>Export map as CSV…</source>
        <translation>Exporter la carte en CSV…</translation>
    </message>
    <message>
        <source>The points of this map: x, y, class and test image index</source>
        <translation>Les points de cette carte&#xa0;: x, y, classe et indice de l&apos;image de test</translation>
    </message>
    <message>
        <source>t-SNE seed: the same seed always gives the same map; another seed, a slightly different one.</source>
        <translation>Graine du t-SNE : la même graine donne toujours la même carte ; une autre graine, une carte un peu différente.</translation>
    </message>
    <message>
        <source>t-SNE perplexity: about how many neighbours each point keeps close. Small: many tight islands; large: the broad layout. 30 is the usual choice.</source>
        <translation>Perplexité du t-SNE : à peu près le nombre de voisins que chaque point garde proches. Petite : beaucoup d&apos;îlots serrés ; grande : la disposition d&apos;ensemble. 30 est le choix habituel.</translation>
    </message>
    <message>
        <source>t-SNE settings</source>
        <translation>t-SNE…</translation>
    </message>
    <message>
        <source>The seed and the perplexity of the app&apos;s t-SNE</source>
        <translation>La graine et la perplexité du t-SNE de l&apos;application</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Graine</translation>
    </message>
    <message>
        <source>Perplexity</source>
        <translation>Perplexité</translation>
    </message>
</context>
<context>
    <name>MetricsTable</name>
    <message>
        <source>Epoch</source>
        <translation>Époque</translation>
    </message>
    <message>
        <source>Epoch; “(stopped)” when it was cut short</source>
        <translation>Époque&#xa0;; «&#xa0;(interrompue)&#xa0;» quand elle a été interrompue</translation>
    </message>
    <message>
        <source>Train</source>
        <comment>table header: training loss</comment>
        <translation>Entr.</translation>
    </message>
    <message>
        <source>Training loss, mean over the epoch&apos;s batches</source>
        <translation>Perte d&apos;entraînement, moyenne sur les lots de l&apos;époque</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>Test</translation>
    </message>
    <message>
        <source>Loss on the 10,000 test images</source>
        <translation>Perte sur les 10&#x202f;000 images de test</translation>
    </message>
    <message>
        <source>MSE</source>
        <translation>MSE</translation>
    </message>
    <message>
        <source>Mean squared error per pixel, pixels in [0, 1]</source>
        <translation>Erreur quadratique moyenne par pixel, pixels dans [0, 1]</translation>
    </message>
    <message>
        <source>BCE</source>
        <translation>BCE</translation>
    </message>
    <message>
        <source>Binary cross-entropy, nats per image (summed over its pixels)</source>
        <translation>Entropie croisée binaire, en nats par image (somme sur ses pixels)</translation>
    </message>
    <message>
        <source>KL</source>
        <translation>KL</translation>
    </message>
    <message>
        <source>KL divergence, nats per image</source>
        <translation>Divergence KL, en nats par image</translation>
    </message>
    <message>
        <source>s</source>
        <translation>s</translation>
    </message>
    <message>
        <source>Seconds the epoch took</source>
        <translation>Durée de l&apos;époque en secondes</translation>
    </message>
    <message>
        <source>Test loss: on the 10,000 test images, never seen in training. BCE and KL are sums per image (nats); MSE is per pixel, with pixels in [0, 1].</source>
        <translation>Perte de test&#xa0;: sur les 10&#x202f;000 images de test, jamais vues pendant l&apos;entraînement. BCE et KL sont des sommes par image (en nats)&#xa0;; la MSE est par pixel, avec des pixels dans [0, 1].</translation>
    </message>
    <message>
        <source> (stopped)</source>
        <translation> (interrompue)</translation>
    </message>
</context>
<context>
    <name>ModelEntry</name>
    <message>
        <source>bundled {kind}</source>
        <translation>{kind} fourni</translation>
    </message>
    <message>
        <source>new {kind}</source>
        <translation>nouveau {kind}</translation>
    </message>
    <message>
        <source>{file} — {kind}, latent {d}, {n} ep.</source>
        <translation>{file} — {kind}, dim. latente {d}, {n} ép.</translation>
    </message>
</context>
<context>
    <name>ModelPicker</name>
    <message>
        <source>Which of the session&apos;s models this panel shows.</source>
        <translation>Le modèle de la session que ce panneau affiche.</translation>
    </message>
</context>
<context>
    <name>PlotItem</name>
    <message>
        <source>Transforms</source>
        <translation>Transformations</translation>
    </message>
    <message>
        <source>Downsample</source>
        <translation>Sous-échantillonnage</translation>
    </message>
    <message>
        <source>Average</source>
        <translation>Moyenne</translation>
    </message>
    <message>
        <source>Alpha</source>
        <translation>Transparence</translation>
    </message>
    <message>
        <source>Grid</source>
        <translation>Grille</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>Points</translation>
    </message>
    <message>
        <source>Plot Options</source>
        <translation>Options du tracé</translation>
    </message>
</context>
<context>
    <name>RateDistortionPlot</name>
    <message>
        <source>rate: KL(q(z|x) ‖ N(0, I)), nats per image</source>
        <translation>débit&#xa0;: KL(q(z|x) ‖ N(0, I)), nats par image</translation>
    </message>
    <message>
        <source>distortion: BCE, nats per image</source>
        <translation>distorsion&#xa0;: BCE, nats par image</translation>
    </message>
    <message>
        <source>β {beta:g}</source>
        <translation>β {beta:g}</translation>
    </message>
    <message>
        <source>{n} active</source>
        <translation>{n} actives</translation>
    </message>
</context>
<context>
    <name>ReconstructionPanel</name>
    <message>
        <source>An AE trained on noisy inputs with clean targets (Training → Denoising noise), shown under the plain AE on the same noisy images.</source>
        <translation>Un AE entraîné sur des entrées bruitées avec les images propres pour cibles (Entraînement → Bruit de débruitage), montré sous l&apos;AE ordinaire sur les mêmes images bruitées.</translation>
    </message>
    <message>
        <source>The lab&apos;s noise: each pixel gets (U[0,1) − 0.5) × level, then is clipped to [0, 1].</source>
        <translation>Le bruit du TP&#xa0;: chaque pixel reçoit (U[0,1) − 0,5) × niveau, puis est borné à [0, 1].</translation>
    </message>
    <message>
        <source>Other images</source>
        <translation>Autres images</translation>
    </message>
    <message>
        <source>AE</source>
        <translation>AE</translation>
    </message>
    <message>
        <source>Compare with a denoising AE</source>
        <translation>Comparer à un AE débruiteur</translation>
    </message>
    <message>
        <source>Open the denoising AE shipped with the app (trained with the lab&apos;s noise 0.5 on its inputs).</source>
        <translation>Ouvrir l&apos;AE débruiteur livré avec l&apos;application (entraîné avec le bruit 0,5 du TP sur ses entrées).</translation>
    </message>
    <message>
        <source>Denoising AE</source>
        <translation>AE débruiteur</translation>
    </message>
    <message>
        <source>VAE</source>
        <translation>VAE</translation>
    </message>
    <message>
        <source>Noise level</source>
        <translation>Niveau de bruit</translation>
    </message>
    <message>
        <source>PCA-{d}</source>
        <translation>ACP-{d}</translation>
    </message>
    <message>
        <source>Reconstructions need the Fashion-MNIST test images (see the status bar).</source>
        <translation>Les reconstructions ont besoin des images de test de Fashion-MNIST (voir la barre d&apos;état).</translation>
    </message>
    <message>
        <source>test image</source>
        <translation>image de test</translation>
    </message>
    <message>
        <source>denoising AE ({level:g})</source>
        <translation>AE débruiteur ({level:g})</translation>
    </message>
    <message>
        <source>noisy input</source>
        <translation>entrée bruitée</translation>
    </message>
    <message>
        <source>Open or train an AE and a VAE to see their reconstructions.</source>
        <translation>Ouvrez ou entraînez un AE et un VAE pour voir leurs reconstructions.</translation>
    </message>
    <message>
        <source>Numbers: mean squared error per pixel against the clean image (PCA-d: the linear projection on d principal axes of the training images).</source>
        <translation>Nombres&#xa0;: erreur quadratique moyenne par pixel par rapport à l&apos;image propre (ACP-d&#xa0;: la projection linéaire sur d axes principaux des images d&apos;entraînement).</translation>
    </message>
    <message>
        <source>Only the denoising AE saw noisy inputs (with clean targets) in training.</source>
        <translation>Seul l&apos;AE débruiteur a vu des entrées bruitées (avec des cibles propres) à l&apos;entraînement.</translation>
    </message>
    <message>
        <source>The models only ever saw clean images: press &apos;Compare with a denoising AE&apos; to add one trained on noisy inputs.</source>
        <translation>Les modèles n&apos;ont vu que des images propres : appuyez sur « Comparer à un AE débruiteur » pour en ajouter un entraîné sur des entrées bruitées.</translation>
    </message>
    <message>
        <source>The models only ever saw clean images; train an AE with Denoising noise 0.5 to compare.</source>
        <translation>Les modèles n&apos;ont jamais vu que des images propres&#xa0;; entraînez un AE avec un bruit de débruitage de 0,5 pour comparer.</translation>
    </message>
    <message>
        <source>Mean error over these images: {errors}.</source>
        <translation>Erreur moyenne sur ces images&#xa0;: {errors}.</translation>
    </message>
</context>
<context>
    <name>Scene</name>
    <message>
        <source>Cannot write the scene {path}: {error}</source>
        <translation>Impossible d&apos;écrire la scène {path}&#xa0;: {error}</translation>
    </message>
    <message>
        <source>{path} is too large to be a scene ({n} bytes).</source>
        <translation>{path} est trop volumineux pour être une scène ({n} octets).</translation>
    </message>
    <message>
        <source>{path} is not a scene file: it is not a regular file.</source>
        <translation>{path} n&apos;est pas un fichier de scène&#xa0;: ce n&apos;est pas un fichier ordinaire.</translation>
    </message>
    <message>
        <source>Cannot read the scene {path}: {error}</source>
        <translation>Impossible de lire la scène {path}&#xa0;: {error}</translation>
    </message>
    <message>
        <source>{path} is not a scene file (not JSON: {error}).</source>
        <translation>{path} n&apos;est pas un fichier de scène (JSON invalide&#xa0;: {error}).</translation>
    </message>
    <message>
        <source>{path} is not a Latent Explorer scene.</source>
        <translation>{path} n&apos;est pas une scène Latent Explorer.</translation>
    </message>
    <message>
        <source>{path} was written by a newer Latent Explorer (scene version {version}).</source>
        <translation>{path} a été écrit par une version plus récente de Latent Explorer (version de scène {version}).</translation>
    </message>
    <message>
        <source>{path}: its list of models is malformed.</source>
        <translation>{path}&#xa0;: sa liste de modèles est mal formée.</translation>
    </message>
    <message>
        <source>{path}: &apos;{key}&apos; should be an object.</source>
        <translation>{path}&#xa0;: «&#xa0;{key}&#xa0;» devrait être un objet.</translation>
    </message>
</context>
<context>
    <name>SceneFlow</name>
    <message>
        <source>Cannot save scene</source>
        <translation>Impossible d&apos;enregistrer la scène</translation>
    </message>
    <message>
        <source>Scene saved without some models</source>
        <translation>Scène enregistrée sans certains modèles</translation>
    </message>
    <message>
        <source>These models are not saved, so the scene cannot name them: {names}. Save them, then save the scene again.</source>
        <translation>Ces modèles ne sont pas enregistrés, la scène ne peut donc pas les désigner&#xa0;: {names}. Enregistrez-les, puis enregistrez à nouveau la scène.</translation>
    </message>
    <message>
        <source>Saved scene {path}</source>
        <translation>Scène {path} enregistrée</translation>
    </message>
    <message>
        <source>Cannot open scene</source>
        <translation>Impossible d&apos;ouvrir la scène</translation>
    </message>
    <message>
        <source>Models of the scene not found</source>
        <translation>Modèles de la scène introuvables</translation>
    </message>
    <message>
        <source>The scene {scene} uses models that could not be opened:
{list}
The rest of the scene is shown.</source>
        <translation>La scène {scene} utilise des modèles qui n&apos;ont pas pu être ouverts&#xa0;:
{list}
Le reste de la scène est affiché.</translation>
    </message>
    <message>
        <source>Opened scene {name}</source>
        <translation>Scène {name} ouverte</translation>
    </message>
    <message>
        <source>Open scene</source>
        <translation>Ouvrir une scène</translation>
    </message>
    <message>
        <source>Lesson scenes (*.scene.json *.json)</source>
        <translation>Scènes de cours (*.scene.json *.json)</translation>
    </message>
    <message>
        <source>Save scene as</source>
        <translation>Enregistrer la scène sous</translation>
    </message>
    <message>
        <source>Lesson scenes (*.scene.json)</source>
        <translation>Scènes de cours (*.scene.json)</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Raccourcis clavier</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>Touches</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Action</translation>
    </message>
    <message>
        <source>switch panels</source>
        <translation>changer de panneau</translation>
    </message>
    <message>
        <source>presentation mode</source>
        <translation>mode présentation</translation>
    </message>
    <message>
        <source>full screen</source>
        <translation>plein écran</translation>
    </message>
    <message>
        <source>open models</source>
        <translation>ouvrir des modèles</translation>
    </message>
    <message>
        <source>save the selected model</source>
        <translation>enregistrer le modèle choisi</translation>
    </message>
    <message>
        <source>open a lesson scene</source>
        <translation>ouvrir une scène de cours</translation>
    </message>
    <message>
        <source>save the view as a scene</source>
        <translation>enregistrer la vue comme scène</translation>
    </message>
    <message>
        <source>export the view as PNG</source>
        <translation>exporter la vue en PNG</translation>
    </message>
    <message>
        <source>new draws (Generation)</source>
        <translation>nouveaux tirages (Génération)</translation>
    </message>
    <message>
        <source>start training</source>
        <translation>démarrer l&apos;entraînement</translation>
    </message>
    <message>
        <source>log scale for losses</source>
        <translation>échelle logarithmique pour les pertes</translation>
    </message>
    <message>
        <source>this list</source>
        <translation>cette liste</translation>
    </message>
    <message>
        <source>quit</source>
        <translation>quitter</translation>
    </message>
</context>
<context>
    <name>TrainingForm</name>
    <message>
        <source>Train a new model, or continue training one the session holds.</source>
        <translation>Entraîner un nouveau modèle, ou poursuivre l&apos;entraînement d&apos;un modèle de la session.</translation>
    </message>
    <message>
        <source>VAE (variational)</source>
        <translation>VAE (variationnel)</translation>
    </message>
    <message>
        <source>AE (classic auto-encoder)</source>
        <translation>AE (auto-encodeur classique)</translation>
    </message>
    <message>
        <source>Size of the code z: 784 pixels are squeezed into this many numbers.</source>
        <translation>Taille du code z&#xa0;: les 784 pixels sont comprimés en autant de nombres.</translation>
    </message>
    <message>
        <source>Adam&apos;s step size. Too large and the loss explodes (the app stops and says so).</source>
        <translation>Le pas d&apos;Adam. Trop grand, la perte explose (l&apos;application s&apos;arrête et le signale).</translation>
    </message>
    <message>
        <source>Adam&apos;s L2 penalty on the weights (the lab uses 1e-5).</source>
        <translation>La pénalité L2 d&apos;Adam sur les poids (le TP utilise 1e-5).</translation>
    </message>
    <message>
        <source>β weighs the KL term of the VAE loss (β = 1: the classic VAE; larger: a smoother, blurrier code).</source>
        <translation>β pondère le terme KL de la perte du VAE (β = 1&#xa0;: le VAE classique&#xa0;; plus grand&#xa0;: un code plus lisse, des images plus floues).</translation>
    </message>
    <message>
        <source>none</source>
        <translation>aucun</translation>
    </message>
    <message>
        <source>Denoising: train on inputs with the lab&apos;s noise at this level (0.5 in the lab), the clean image as target. &apos;none&apos;: the lab&apos;s plain training.</source>
        <translation>Débruitage&#xa0;: entraîner sur des entrées portant le bruit du TP à ce niveau (0,5 dans le TP), l&apos;image propre pour cible. « aucun »&#xa0;: l&apos;entraînement ordinaire du TP.</translation>
    </message>
    <message>
        <source>Same seed, same settings: the same model, every time.</source>
        <translation>Même graine, mêmes réglages&#xa0;: le même modèle, à chaque fois.</translation>
    </message>
    <message>
        <source>all</source>
        <translation>toutes</translation>
    </message>
    <message>
        <source>Train on the first N training images only (quick demos); &apos;all&apos; uses 60,000.</source>
        <translation>N&apos;entraîner que sur les N premières images d&apos;entraînement (démonstrations rapides)&#xa0;; «&#xa0;toutes&#xa0;» en utilise 60&#x202f;000.</translation>
    </message>
    <message>
        <source>Auto (bf16 where native)</source>
        <translation>Auto (bf16 si natif)</translation>
    </message>
    <message>
        <source>bf16 (faster)</source>
        <translation>bf16 (plus rapide)</translation>
    </message>
    <message>
        <source>fp32 (exact)</source>
        <translation>fp32 (exacte)</translation>
    </message>
    <message>
        <source>Auto — {gpu}</source>
        <translation>Auto — {gpu}</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>CUDA GPU</source>
        <translation>GPU CUDA</translation>
    </message>
    <message>
        <source>Auto (CPU)</source>
        <translation>Auto (CPU)</translation>
    </message>
    <message>
        <source>No CUDA GPU was found: training runs on the CPU.</source>
        <translation>Aucun GPU CUDA trouvé : l&apos;entraînement se fait sur le CPU.</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modèle</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>Entraîner</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>Jeu de données</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Latent size</source>
        <translation>Dimension latente</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>Entraînement</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>Époques</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>Taille de lot</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>Taux d&apos;apprentissage</translation>
    </message>
    <message>
        <source>Weight decay</source>
        <translation>Décroissance des poids</translation>
    </message>
    <message>
        <source>β (KL weight)</source>
        <translation>β (poids du KL)</translation>
    </message>
    <message>
        <source>Denoising noise</source>
        <translation>Bruit de débruitage</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Graine</translation>
    </message>
    <message>
        <source>Training images</source>
        <translation>Images d&apos;entraînement</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>Précision</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>Calcul</translation>
    </message>
    <message>
        <source>Lab defaults</source>
        <translation>Réglages du TP</translation>
    </message>
    <message>
        <source>Reset every setting to the lab&apos;s values.</source>
        <translation>Remettre chaque réglage à la valeur du TP.</translation>
    </message>
</context>
<context>
    <name>TrainingPanel</name>
    <message>
        <source>Loading data…</source>
        <translation>Chargement des données…</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Démarrer</translation>
    </message>
    <message>
        <source>Start training (Ctrl+Enter)</source>
        <translation>Démarrer l&apos;entraînement (Ctrl+Entrée)</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pause</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Arrêter</translation>
    </message>
    <message>
        <source>Stop after the current batch; what was trained is kept.</source>
        <translation>Arrêter après le lot en cours&#xa0;; ce qui a été appris est conservé.</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Prêt</translation>
    </message>
    <message>
        <source>Log scale</source>
        <translation>Échelle logarithmique</translation>
    </message>
    <message>
        <source>Show BCE and KL terms</source>
        <translation>Afficher les termes BCE et KL</translation>
    </message>
    <message>
        <source>The VAE loss is a sum: reconstruction error (BCE) + β × KL divergence. Show each part.</source>
        <translation>La perte du VAE est une somme&#xa0;: erreur de reconstruction (BCE) + β × divergence KL. Afficher chacun des termes.</translation>
    </message>
    <message>
        <source>Eight fixed test images (top) and the model&apos;s reconstructions, after each epoch.</source>
        <translation>Huit images de test fixes (en haut) et leurs reconstructions par le modèle, après chaque époque.</translation>
    </message>
    <message>
        <source>Reconstructions after each epoch</source>
        <translation>Reconstructions par époque</translation>
    </message>
    <message>
        <source>Training…</source>
        <translation>Entraînement…</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Enregistré.</translation>
    </message>
    <message>
        <source>Per-epoch metrics</source>
        <translation>Mesures par époque</translation>
    </message>
    <message>
        <source>New model</source>
        <translation>Nouveau modèle</translation>
    </message>
    <message>
        <source>Continue training</source>
        <translation>Poursuivre l&apos;entraînement</translation>
    </message>
    <message>
        <source>test image</source>
        <translation>image de test</translation>
    </message>
    <message>
        <source>reconstruction</source>
        <translation>reconstruction</translation>
    </message>
    <message>
        <source>Dashed line: the lab&apos;s own code, same settings, after {n} epochs.</source>
        <translation>En pointillés&#xa0;: le code du TP lui-même, mêmes réglages, après {n} époques.</translation>
    </message>
    <message>
        <source>(The lab&apos;s reference appears with the lab&apos;s settings.)</source>
        <translation>(La référence du TP apparaît avec les réglages du TP.)</translation>
    </message>
    <message>
        <source>Only the bundled sample of test images is here: training needs the full Fashion-MNIST (Start says how to get it).</source>
        <translation>Seul l&apos;échantillon d&apos;images de test fourni est présent&#xa0;: l&apos;entraînement demande Fashion-MNIST complet (Démarrer explique comment l&apos;obtenir).</translation>
    </message>
    <message>
        <source>Invalid settings</source>
        <translation>Réglages non valides</translation>
    </message>
    <message>
        <source>Cannot train</source>
        <translation>Impossible d&apos;entraîner</translation>
    </message>
    <message>
        <source>This model learnt {name}: choose it as the dataset to continue training it.</source>
        <translation>Ce modèle a appris {name} : choisissez-le comme jeu de données pour continuer son entraînement.</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Démarrage…</translation>
    </message>
    <message>
        <source>Training on {device}, {precision}.</source>
        <translation>Entraînement sur {device}, en {precision}.</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Reprendre</translation>
    </message>
    <message>
        <source>Paused — </source>
        <translation>En pause — </translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>Arrêt en cours…</translation>
    </message>
    <message>
        <source>Epoch {e} · %p% · {eta} left</source>
        <translation>Époque {e} · %p&#xa0;% · reste {eta}</translation>
    </message>
    <message>
        <source>Epoch {e} of {n}: test loss {loss}.</source>
        <translation>Époque {e} sur {n}&#xa0;: perte de test {loss}.</translation>
    </message>
    <message>
        <source>Training ended without a result.</source>
        <translation>L&apos;entraînement s&apos;est terminé sans résultat.</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>Arrêté</translation>
    </message>
    <message>
        <source>Training on {path}.</source>
        <translation>Entraînement sur {path}.</translation>
    </message>
    <message>
        <source>Done — %p%</source>
        <translation>Terminé — %p&#xa0;%</translation>
    </message>
    <message>
        <source>Stopped after {e} epoch(s).</source>
        <translation>Arrêté après {e} époque(s).</translation>
    </message>
    <message>
        <source>Finished: {e} epoch(s) trained.</source>
        <translation>Terminé&#xa0;: {e} époque(s) d&apos;entraînement.</translation>
    </message>
    <message>
        <source>File → Save model as… keeps it.</source>
        <translation>Fichier → Enregistrer le modèle sous… pour le garder.</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Échec</translation>
    </message>
    <message>
        <source>Training stopped</source>
        <translation>Entraînement interrompu</translation>
    </message>
</context>
<context>
    <name>TraversalGrid</name>
    <message>
        <source>z{d} · KL {kl:.2f}</source>
        <translation>z{d} · KL {kl:.2f}</translation>
    </message>
    <message>
        <source>z{d} · var {v:.2g}</source>
        <translation>z{d} · var. {v:.2g}</translation>
    </message>
</context>
<context>
    <name>TsneProgress</name>
    <message>
        <source>Pause</source>
        <translation>Pause</translation>
    </message>
    <message>
        <source>t-SNE (scikit-learn): computing… {s:.0f} s</source>
        <translation>t-SNE (scikit-learn)&#xa0;: calcul… {s:.0f} s</translation>
    </message>
    <message>
        <source>t-SNE: iteration {i} / {n} · {s:.0f} s</source>
        <translation>t-SNE&#xa0;: itération {i} / {n} · {s:.0f} s</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>en pause</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Reprendre</translation>
    </message>
</context>
<context>
    <name>TsneTrust</name>
    <message>
        <source>● close to real points: a fair estimate</source>
        <translation>● près de points réels&#xa0;: une estimation fiable</translation>
    </message>
    <message>
        <source>◐ between points: a rough estimate</source>
        <translation>◐ entre les points&#xa0;: une estimation grossière</translation>
    </message>
    <message>
        <source>○ far from every point: a guess</source>
        <translation>○ loin de tout point&#xa0;: une supposition</translation>
    </message>
    <message>
        <source>Estimated from the nearest map points ({r:.1f}× their usual spacing away): {sign}</source>
        <translation>Estimé d&apos;après les points les plus proches (à {r:.1f}× leur écart habituel)&#xa0;: {sign}</translation>
    </message>
</context>
<context>
    <name>UnderstandingPanel</name>
    <message>
        <source>Each row moves one latent dimension from −3σ to +3σ around the current code (framed column); the others stay put. Click an image to set the explorer&apos;s sliders there.</source>
        <translation>Chaque ligne déplace une dimension latente de −3σ à +3σ autour du code courant (colonne encadrée)&#xa0;; les autres ne bougent pas. Cliquez sur une image pour y placer les curseurs de l&apos;explorateur.</translation>
    </message>
    <message>
        <source>Which dimensions matter?</source>
        <translation>Quelles dimensions comptent&#xa0;?</translation>
    </message>
    <message>
        <source>Each point is a VAE: right = more information in the code (KL), down = sharper reconstructions (BCE). The star is the lab&apos;s β = 1; the ring, the explorer&apos;s model. Click a point to open that model in the explorer.</source>
        <translation>Chaque point est un VAE&#xa0;: à droite = plus d&apos;information dans le code (KL), en bas = reconstructions plus nettes (BCE). L&apos;étoile est le β = 1 du TP&#xa0;; l&apos;anneau, le modèle de l&apos;explorateur. Cliquez sur un point pour ouvrir ce modèle dans l&apos;explorateur.</translation>
    </message>
    <message>
        <source>What β trades: a larger β pays more for information in the code, so the VAE keeps less (fewer active dimensions) and reconstructs worse, but its space is more regular. Where the active units drop, collapse begins.</source>
        <translation>Ce que β échange&#xa0;: un β plus grand fait payer plus cher l&apos;information dans le code, le VAE en garde donc moins (moins de dimensions actives) et reconstruit moins bien, mais son espace est plus régulier. Là où les unités actives chutent commence l&apos;effondrement.</translation>
    </message>
    <message>
        <source>Rate and distortion</source>
        <translation>Débit et distorsion</translation>
    </message>
    <message>
        <source>Samples per image of the importance-weighted bound (k).</source>
        <translation>Tirages par image de la borne à poids d&apos;importance (k).</translation>
    </message>
    <message>
        <source>2,000 images</source>
        <translation>2 000 images</translation>
    </message>
    <message>
        <source>all images</source>
        <translation>toutes</translation>
    </message>
    <message>
        <source>Estimate log-likelihood</source>
        <translation>Estimer la log-vraisemblance</translation>
    </message>
    <message>
        <source>The IWAE bound (Burda et al.) with k samples per image, computed in the background. Targets are grayscale as in the lab, not the binarised images of published benchmarks: compare it with the ELBO here, not with papers.</source>
        <translation>La borne IWAE (Burda et al.) avec k tirages par image, calculée en arrière-plan. Les cibles sont en niveaux de gris comme dans le TP, pas les images binarisées des bancs d&apos;essai publiés&#xa0;: comparez-la à l&apos;ELBO ici, pas aux articles.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <source>Honest baselines</source>
        <translation>Références honnêtes</translation>
    </message>
    <message>
        <source>samples k</source>
        <translation>tirages k</translation>
    </message>
    <message>
        <source>Open or train a model to see its dimensions.</source>
        <translation>Ouvrez ou entraînez un modèle pour voir ses dimensions.</translation>
    </message>
    <message>
        <source>Measuring each dimension on the test images…</source>
        <translation>Mesure de chaque dimension sur les images de test…</translation>
    </message>
    <message>
        <source>Rows: the dimensions, most used first, with their KL (nats): a dimension with KL ≈ 0 carries nothing, and its row does not change. Columns: −3 to +3 around the current code, in the prior&apos;s σ. Active dimensions (variance of μ over the test set &gt; 0.01): {n} of {d}.</source>
        <translation>Lignes&#xa0;: les dimensions, les plus utilisées d&apos;abord, avec leur KL (nats)&#xa0;: une dimension de KL ≈ 0 ne porte rien, et sa ligne ne change pas. Colonnes&#xa0;: de −3 à +3 autour du code courant, en σ de la loi a priori. Dimensions actives (variance de μ sur le jeu de test &gt; 0,01)&#xa0;: {n} sur {d}.</translation>
    </message>
    <message>
        <source>Rows: the dimensions, largest variance over the test set first. Columns: −3σ to +3σ of each dimension around the current code. An AE&apos;s dimensions have no common scale and no prior: nothing makes them independent or meaningful one by one.</source>
        <translation>Lignes&#xa0;: les dimensions, de plus grande variance sur le jeu de test d&apos;abord. Colonnes&#xa0;: de −3σ à +3σ de chaque dimension autour du code courant. Les dimensions d&apos;un AE n&apos;ont ni échelle commune ni loi a priori&#xa0;: rien ne les rend indépendantes ni interprétables une à une.</translation>
    </message>
    <message>
        <source>Could not compute: {message}</source>
        <translation>Calcul impossible&#xa0;: {message}</translation>
    </message>
    <message>
        <source>Open or train a model to compare it with a baseline.</source>
        <translation>Ouvrez ou entraînez un modèle pour le comparer à une référence.</translation>
    </message>
    <message>
        <source>No PCA basis for this latent size.</source>
        <translation>Pas de base ACP pour cette taille latente.</translation>
    </message>
    <message>
        <source>Measuring the AE and PCA on the test images…</source>
        <translation>Mesure de l&apos;AE et de l&apos;ACP sur les images de test…</translation>
    </message>
    <message>
        <source>Reconstruction error (MSE per pixel, {n} test images): this AE &lt;b&gt;{ae:.5f}&lt;/b&gt;, PCA with the same {d} dimensions (fitted on the training set) &lt;b&gt;{pca:.5f}&lt;/b&gt;: the AE&apos;s error is {ratio:.0%} of the linear projection&apos;s.</source>
        <translation>Erreur de reconstruction (EQM par pixel, {n} images de test)&#xa0;: cet AE &lt;b&gt;{ae:.5f}&lt;/b&gt;, l&apos;ACP avec les mêmes {d} dimensions (ajustée sur le jeu d&apos;entraînement) &lt;b&gt;{pca:.5f}&lt;/b&gt;&#xa0;: l&apos;erreur de l&apos;AE vaut {ratio:.0%} de celle de la projection linéaire.</translation>
    </message>
    <message>
        <source>Test loss at z = μ (BCE + KL, as training reports it): {loss:.1f} nats per image.</source>
        <translation>Perte de test en z = μ (BCE + KL, comme l&apos;entraînement l&apos;affiche)&#xa0;: {loss:.1f} nats par image.</translation>
    </message>
    <message>
        <source>On {n} images, k = {k}: ELBO &lt;b&gt;{elbo:.1f}&lt;/b&gt;, IWAE bound &lt;b&gt;{iwae:.1f}&lt;/b&gt; nats per image (log-likelihood ≥ both; the ELBO is {gap:.1f} nats looser).</source>
        <translation>Sur {n} images, k = {k}&#xa0;: ELBO &lt;b&gt;{elbo:.1f}&lt;/b&gt;, borne IWAE &lt;b&gt;{iwae:.1f}&lt;/b&gt; nats par image (log-vraisemblance ≥ les deux&#xa0;; l&apos;ELBO est plus lâche de {gap:.1f} nats).</translation>
    </message>
    <message>
        <source>Estimate the log-likelihood to see how loose the ELBO is.</source>
        <translation>Estimez la log-vraisemblance pour voir à quel point l&apos;ELBO est lâche.</translation>
    </message>
</context>
<context>
    <name>ViewBox</name>
    <message>
        <source>axis</source>
        <translation>(axe)</translation>
    </message>
    <message>
        <source>ViewBox options</source>
        <translation>Options de la vue</translation>
    </message>
    <message>
        <source>View All</source>
        <translation>Tout afficher</translation>
    </message>
    <message>
        <source>Mouse Mode</source>
        <translation>Mode de la souris</translation>
    </message>
    <message>
        <source>3 button</source>
        <translation>3 boutons</translation>
    </message>
    <message>
        <source>1 button</source>
        <translation>1 bouton</translation>
    </message>
</context>
<context>
    <name>WindowMenus</name>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Fichier</translation>
    </message>
    <message>
        <source>&amp;Open model…</source>
        <translation>&amp;Ouvrir un modèle…</translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation>Ouvrir un modèle &amp;récent</translation>
    </message>
    <message>
        <source>&amp;Save model as…</source>
        <translation>&amp;Enregistrer le modèle sous…</translation>
    </message>
    <message>
        <source>Open &amp;scene…</source>
        <translation>Ouvrir une &amp;scène…</translation>
    </message>
    <message>
        <source>Bring back a view saved with Save scene</source>
        <translation>Retrouver une vue enregistrée avec «&#xa0;Enregistrer la scène sous&#xa0;»</translation>
    </message>
    <message>
        <source>Save s&amp;cene as…</source>
        <translation>Enregistrer la s&amp;cène sous…</translation>
    </message>
    <message>
        <source>Save this exact view (models, panel, selection, sliders) to show it in class</source>
        <translation>Enregistrer exactement cette vue (modèles, panneau, sélection, curseurs) pour la montrer en classe</translation>
    </message>
    <message>
        <source>&amp;Export view as PNG…</source>
        <translation>E&amp;xporter la vue en PNG…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Affichage</translation>
    </message>
    <message>
        <source>&amp;Presentation mode</source>
        <translation>&amp;Mode présentation</translation>
    </message>
    <message>
        <source>Large text, thick lines and high contrast for a projector; full screen</source>
        <translation>Grand texte, traits épais et fort contraste pour un vidéoprojecteur&#xa0;; plein écran</translation>
    </message>
    <message>
        <source>&amp;Full screen</source>
        <translation>&amp;Plein écran</translation>
    </message>
    <message>
        <source>&amp;Log scale for losses</source>
        <translation>Échelle &amp;logarithmique pour les pertes</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>Lan&amp;gue</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>A&amp;ide</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Raccourcis clavier</translation>
    </message>
    <message>
        <source>Open &amp;log folder</source>
        <translation>Ouvrir le dossier du &amp;journal</translation>
    </message>
    <message>
        <source>&amp;About Latent Explorer</source>
        <translation>À &amp;propos de Latent Explorer</translation>
    </message>
    <message>
        <source>Open log folder</source>
        <translation>Ouvrir le dossier du journal</translation>
    </message>
    <message>
        <source>No file manager could open {folder}</source>
        <translation>Aucun gestionnaire de fichiers n&apos;a pu ouvrir {folder}</translation>
    </message>
</context>
<context>
    <name>Worker</name>
    <message>
        <source>Out of memory. Try a smaller batch size, or train on the CPU.</source>
        <translation>Mémoire insuffisante. Essayez une taille de lot plus petite, ou entraînez sur le CPU.</translation>
    </message>
</context>
</TS>
