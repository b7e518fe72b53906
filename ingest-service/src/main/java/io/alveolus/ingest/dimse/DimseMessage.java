package io.alveolus.ingest.dimse;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.network.Association;
import com.pixelmed.network.CompositeResponseHandler;
import com.pixelmed.network.DicomNetworkException;
import com.pixelmed.network.MessageServiceElementCommand;
import com.pixelmed.network.PDataPDU;
import com.pixelmed.network.PresentationDataValue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * Collects one DIMSE request from P-DATA PDUs: its command set, then (for a C-STORE) its data set, up to the
 * validation contract's file size. Extends CompositeResponseHandler only because PixelMed's ReceivedDataHandler has
 * no public constructor; its response-collecting behaviour is replaced entirely. One instance per request.
 */
final class DimseMessage extends CompositeResponseHandler {
    /** Command Data Set Type (0000,0800) value meaning "no data set follows" (PS3.7 E.1). */
    private static final int NO_DATA_SET = 0x0101;

    private final long maxDataSetBytes;
    private final java.util.function.Predicate<String> keepDataFor;
    private final ByteArrayOutputStream command = new ByteArrayOutputStream();
    private ByteArrayOutputStream data;
    private AttributeList commandList;
    private int commandField = MessageServiceElementCommand.NOCOMMAND;
    private byte presentationContextId;
    private boolean keepData;
    private boolean tooLarge;

    /**
     * @param keepData whether a C-STORE's data set is kept, from its affected SOP class (an instance that is never
     *                 analysed is read off the wire and dropped)
     */
    DimseMessage(long maxDataSetBytes, java.util.function.Predicate<String> keepData) {
        this.maxDataSetBytes = maxDataSetBytes;
        this.keepDataFor = keepData;
    }

    @Override
    public void sendPDataIndication(PDataPDU pdata, Association association)
            throws DicomNetworkException, DicomException, IOException {
        for (Object o : pdata.getPDVList()) {
            PresentationDataValue pdv = (PresentationDataValue) o;
            presentationContextId = pdv.getPresentationContextID();
            if (pdv.isCommand()) {
                command.write(pdv.getValue());
                if (command.size() > 64 * 1024) {
                    throw new DicomNetworkException("command set over 64 KB");
                }
                if (pdv.isLastFragment()) {
                    commandList = CompositeResponseHandler.getAttributeListFromCommandOrData(command.toByteArray(),
                            TransferSyntax.ImplicitVRLittleEndian);
                    commandField = Attribute.getSingleIntegerValueOrDefault(commandList, TagFromName.CommandField,
                            MessageServiceElementCommand.NOCOMMAND);
                    int dataSetType = Attribute.getSingleIntegerValueOrDefault(commandList,
                            TagFromName.CommandDataSetType, NO_DATA_SET);
                    if (dataSetType == NO_DATA_SET) {
                        setDone(true); // C-ECHO, or a request without data: answer now
                    } else if (commandField == MessageServiceElementCommand.C_STORE_RQ) {
                        keepData = keepDataFor.test(Attribute.getSingleStringValueOrNull(commandList,
                                TagFromName.AffectedSOPClassUID));
                        data = new ByteArrayOutputStream(keepData ? 1 << 20 : 0);
                    }
                }
            } else {
                if (commandList == null) {
                    throw new DicomNetworkException("data set before its command");
                }
                byte[] value = pdv.getValue();
                if (keepData && !tooLarge) {
                    if (data.size() + (long) value.length > maxDataSetBytes) {
                        tooLarge = true; // keep reading the instance off the wire, answer with a refusal
                        data = new ByteArrayOutputStream(0);
                    } else {
                        data.write(value);
                    }
                }
                if (pdv.isLastFragment()) {
                    setDone(true);
                }
            }
        }
    }

    @Override
    protected void evaluateStatusAndSetSuccess(AttributeList list) {
        // a request handler, not a response handler: there is no response status to evaluate
    }

    int commandField() {
        return commandField;
    }

    AttributeList commandList() {
        return commandList;
    }

    byte presentationContextId() {
        return presentationContextId;
    }

    /** The data set as received (in the context's transfer syntax); empty when it was not kept. */
    byte[] dataSet() {
        return data == null ? new byte[0] : data.toByteArray();
    }

    boolean dataKept() {
        return keepData && !tooLarge;
    }

    boolean tooLarge() {
        return tooLarge;
    }
}
